import { Rng, tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { BatchSampler } from './batch-sampler.js';

/** x row i is [i, 100 + i], label i % 3: a batch's rows and labels can be checked against its indices. */
function data(n: number): { x: ReturnType<typeof tensor>; labels: Int32Array } {
  return {
    x: tensor(
      Array.from({ length: n }, (_, i) => [i, 100 + i]),
      'float32',
    ),
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
  };
}

function expectConsistent(batch: { x: { toArray(): unknown }; labels: Int32Array | undefined; indices: Int32Array }): void {
  const idx = Array.from(batch.indices);
  expect(batch.x.toArray()).toEqual(idx.map((i) => [i, 100 + i]));
  expect(Array.from(batch.labels!)).toEqual(idx.map((i) => i % 3));
}

describe("BatchSampler 'replacement'", () => {
  it('draws like np.random.choice(train_size, batch_size) from the Rng, mapped through rows', () => {
    const { x, labels } = data(10);
    const rows = Int32Array.from([1, 3, 5, 7, 9]);
    const sampler = new BatchSampler(x, labels, { batchSize: 4, mode: 'replacement', rng: new Rng(11), rows });
    const oracle = new Rng(11);
    for (let k = 0; k < 5; k++) {
      const batch = sampler.next();
      const expected = Array.from(oracle.choice(5, 4), (p) => rows[p]!);
      expect(Array.from(batch.indices)).toEqual(expected);
      expectConsistent(batch);
    }
  });

  it('counts notional epochs of ceil(rows / batchSize) batches', () => {
    const { x, labels } = data(10);
    const sampler = new BatchSampler(x, labels, { batchSize: 4, mode: 'replacement', rng: new Rng(0) });
    expect(sampler.batchesPerEpoch).toBe(3);
    const seen = Array.from({ length: 7 }, () => {
      const b = sampler.next();
      return [b.epoch, b.batch];
    });
    expect(seen).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
      [2, 0],
    ]);
  });

  it('reuses its buffers: every batch is the same objects', () => {
    const { x, labels } = data(10);
    const sampler = new BatchSampler(x, labels, { batchSize: 4, mode: 'replacement', rng: new Rng(0) });
    const first = sampler.next();
    const firstX = first.x;
    const firstData = first.x.data;
    const second = sampler.next();
    expect(second).toBe(first);
    expect(second.x).toBe(firstX);
    expect(second.x.data).toBe(firstData);
  });

  it('samples batches larger than the pool, with replacement', () => {
    const { x, labels } = data(3);
    const b = new BatchSampler(x, labels, { batchSize: 8, mode: 'replacement', rng: new Rng(2) }).next();
    expect(b.size).toBe(8);
    expectConsistent(b);
  });
});

describe("BatchSampler 'epoch'", () => {
  it('shows every row once per epoch, in a new order each epoch, with a short last batch', () => {
    const { x, labels } = data(10);
    const sampler = new BatchSampler(x, labels, { batchSize: 4, mode: 'epoch', rng: new Rng(5) });
    expect(sampler.batchesPerEpoch).toBe(3);
    const orders: number[][] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      const order: number[] = [];
      for (let k = 0; k < 3; k++) {
        const b = sampler.next();
        expect([b.epoch, b.batch, b.size]).toEqual([epoch, k, k === 2 ? 2 : 4]);
        expect(b.x.shape).toEqual([b.size, 2]);
        expect(b.labels!.length).toBe(b.size);
        expectConsistent(b);
        order.push(...b.indices);
      }
      expect([...order].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      orders.push(order);
    }
    expect(orders[1]).not.toEqual(orders[0]);
  });

  it('follows the Rng: the first epoch is the seeded shuffle of the rows', () => {
    const { x, labels } = data(6);
    const rows = Int32Array.from([0, 2, 4, 5]);
    const sampler = new BatchSampler(x, labels, { batchSize: 4, mode: 'epoch', rng: new Rng(9), rows });
    expect(Array.from(sampler.next().indices)).toEqual(Array.from(new Rng(9).shuffle(Int32Array.from(rows))));
  });

  it('puts the short batch in views of the full batch’s buffers', () => {
    const { x, labels } = data(5);
    const sampler = new BatchSampler(x, labels, { batchSize: 3, mode: 'epoch', rng: new Rng(1) });
    const full = sampler.next();
    const short = sampler.next();
    expect(short.size).toBe(2);
    expect(short.x.data.buffer).toBe(full.x.data.buffer);
    expect(sampler.next()).toBe(full);
    expect(sampler.next()).toBe(short);
  });

  it('drops the short batch with dropLast', () => {
    const { x, labels } = data(10);
    const sampler = new BatchSampler(x, labels, { batchSize: 4, mode: 'epoch', rng: new Rng(5), dropLast: true });
    expect(sampler.batchesPerEpoch).toBe(2);
    const sizes = Array.from({ length: 4 }, () => {
      const b = sampler.next();
      return [b.epoch, b.size];
    });
    expect(sizes).toEqual([
      [0, 4],
      [0, 4],
      [1, 4],
      [1, 4],
    ]);
  });

  it('makes one batch of all rows when there are fewer rows than batchSize', () => {
    const { x, labels } = data(3);
    const sampler = new BatchSampler(x, labels, { batchSize: 100, mode: 'epoch', rng: new Rng(0) });
    expect(sampler.batchesPerEpoch).toBe(1);
    const b = sampler.next();
    expect(b.size).toBe(3);
    expect([...b.indices].sort()).toEqual([0, 1, 2]);
    expect(sampler.next().epoch).toBe(1);
  });

  it('works without labels', () => {
    const { x } = data(4);
    const b = new BatchSampler(x, undefined, { batchSize: 2, mode: 'epoch', rng: new Rng(0) }).next();
    expect(b.labels).toBeUndefined();
    expect(b.x.shape).toEqual([2, 2]);
  });
});

describe('BatchSampler refuses', () => {
  it('bad options, naming what is wrong', () => {
    const { x, labels } = data(4);
    const rng = new Rng(0);
    expect(() => new BatchSampler(x, labels.subarray(1), { batchSize: 2, mode: 'epoch', rng })).toThrow(/x has 4 rows but labels has 3/);
    expect(() => new BatchSampler(x, labels, { batchSize: 0, mode: 'epoch', rng })).toThrow(/batchSize must be a whole number >= 1/);
    expect(() => new BatchSampler(x, labels, { batchSize: 2, mode: 'shuffle' as 'epoch', rng })).toThrow(/mode must be 'replacement' or 'epoch'/);
    expect(() => new BatchSampler(x, labels, { batchSize: 2, mode: 'epoch', rng, rows: [0, 4] })).toThrow(/rows\[1\] is 4/);
    expect(() => new BatchSampler(x, labels, { batchSize: 2, mode: 'epoch', rng, rows: [] })).toThrow(/no rows to sample/);
    expect(() => new BatchSampler(x, labels, { batchSize: 8, mode: 'epoch', rng, dropLast: true })).toThrow(/make no full batch of 8/);
    expect(() => new BatchSampler(x, labels, { batchSize: 2, mode: 'epoch', rng: {} as Rng })).toThrow(/rng must be an Rng/);
  });
});
