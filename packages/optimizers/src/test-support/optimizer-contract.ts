import { type DType, ShapeError, type Tensor, tensor } from '@dlfs/tensor';
import { expect, it } from 'vitest';
import type { Optimizer } from '../optimizer.js';

export type ContractOptions<O extends Optimizer> = {
  /** A new optimizer with a learning rate large enough for three steps to move the params visibly. */
  make: () => O;
  /** The optimizer's state tables by the book's name (self.v, self.h, self.m): `{}` for SGD. */
  state: (optimizer: O) => Readonly<Record<string, ReadonlyMap<string, Tensor>>>;
};

const W0 = [
  [0.5, -1.25, 2],
  [-0.75, 1, 0.125],
];
const b0 = [0.25, -0.5, 1];
const gradSteps = [
  {
    W: [
      [0.3, -0.6, 1.2],
      [0.9, -0.15, 0.45],
    ],
    b: [1, -2, 0.5],
  },
  {
    W: [
      [-0.2, 0.4, 0.8],
      [0.1, 0.7, -1.1],
    ],
    b: [0.5, 0.25, -1],
  },
  {
    W: [
      [1.5, 0.05, -0.3],
      [-0.4, 0.2, 0.6],
    ],
    b: [-0.75, 1.5, 0.1],
  },
];

function paramsOf(dtype: DType): { W: Tensor; b: Tensor } {
  return { W: tensor(W0, dtype), b: tensor(b0, dtype) };
}

function gradsOf(step: number, dtype: DType): { W: Tensor; b: Tensor } {
  const g = gradSteps[step % gradSteps.length]!;
  return { W: tensor(g.W, dtype), b: tensor(g.b, dtype) };
}

/** Copies `src` into `dst` element by element: refills grad tensors without making new ones. */
function refill(dst: Tensor, src: Tensor): void {
  for (let i = 0; i < dst.size; i++) dst.data[i] = src.data[i]!;
}

/**
 * Runs `fn` while `new Float32Array` / `new Float64Array` (and their `from`/`of`) are counted,
 * which is how every Tensor's storage is made; returns the count.
 */
export function countTypedArrays(fn: () => void): number {
  const saved32 = globalThis.Float32Array;
  const saved64 = globalThis.Float64Array;
  let count = 0;
  const counting = <T extends object>(ctor: T): T =>
    new Proxy(ctor, {
      construct(target, args, newTarget) {
        count++;
        return Reflect.construct(target as unknown as new (...a: unknown[]) => object, args, newTarget) as object;
      },
    });
  globalThis.Float32Array = counting(saved32);
  globalThis.Float64Array = counting(saved64);
  try {
    fn();
  } finally {
    globalThis.Float32Array = saved32;
    globalThis.Float64Array = saved64;
  }
  return count;
}

/**
 * The update contract every optimizer keeps, as `it` blocks: params change in place, state is
 * made once per key and reused, nothing is allocated after the first update, float32 works,
 * and bad grads throw before any param changes.
 */
export function itKeepsTheOptimizerContract<O extends Optimizer>({ make, state: stateByName }: ContractOptions<O>): void {
  const state = (optimizer: O): ReadonlyMap<string, Tensor>[] => Object.values(stateByName(optimizer));

  it('updates the very same param tensors in place and leaves grads as they were', () => {
    const optimizer = make();
    const params = paramsOf('float64');
    const { W, b } = params;
    const WData = W.data;
    const bData = b.data;
    const grads = gradsOf(0, 'float64');
    optimizer.update(params, grads);
    expect(params.W).toBe(W);
    expect(params.W.data).toBe(WData);
    expect(params.b.data).toBe(bData);
    expect(W.toArray()).not.toEqual(W0);
    expect(b.toArray()).not.toEqual(b0);
    expect(grads.W.toArray()).toEqual(gradSteps[0]!.W);
    expect(grads.b.toArray()).toEqual(gradSteps[0]!.b);
    const frozen = Object.freeze({ W, b });
    optimizer.update(frozen, Object.freeze(gradsOf(1, 'float64')));
    expect(frozen.W.data).toBe(WData);
  });

  it('makes its state once per param key, like the param, and reuses it on every update', () => {
    const optimizer = make();
    const params = paramsOf('float64');
    for (const table of state(optimizer)) expect(table.size).toBe(0);
    optimizer.update(params, gradsOf(0, 'float64'));
    const first = state(optimizer).map((table) => new Map(table));
    for (const table of first) {
      expect([...table.keys()]).toEqual(['W', 'b']);
      expect(table.get('W')!.shape).toEqual([2, 3]);
      expect(table.get('b')!.shape).toEqual([3]);
      expect(table.get('W')!.dtype).toBe('float64');
    }
    const data = first.map((table) => [...table.values()].map((t) => t.data));
    optimizer.update(params, gradsOf(1, 'float64'));
    optimizer.update(params, gradsOf(2, 'float64'));
    state(optimizer).forEach((table, i) => {
      expect(table.size).toBe(2);
      for (const [key, t] of table) expect(t, key).toBe(first[i]!.get(key));
      expect([...table.values()].map((t) => t.data)).toEqual(data[i]);
    });
  });

  it('creates no typed arrays (so no tensors) after the first update', () => {
    const optimizer = make();
    const params = paramsOf('float64');
    const grads = gradsOf(0, 'float64');
    const next = [gradsOf(1, 'float64'), gradsOf(2, 'float64')];
    // The first update makes each state buffer (one typed array per key and table), and nothing else.
    const tables = state(optimizer).length;
    expect(countTypedArrays(() => optimizer.update(params, grads))).toBe(2 * tables);
    const later = countTypedArrays(() => {
      for (let step = 0; step < 20; step++) {
        const g = next[step % 2]!;
        refill(grads.W, g.W);
        refill(grads.b, g.b);
        optimizer.update(params, grads);
      }
    });
    expect(later).toBe(0);
    // The counter does see tensors being made: a check that the zero above means something.
    expect(countTypedArrays(() => tensor([1, 2]))).toBe(1);
  });

  it('updates float32 params in float32, agreeing with float64 to float32 precision', () => {
    const f64 = make();
    const f32 = make();
    const p64 = paramsOf('float64');
    const p32 = paramsOf('float32');
    for (let step = 0; step < 3; step++) {
      f64.update(p64, gradsOf(step, 'float64'));
      f32.update(p32, gradsOf(step, 'float32'));
    }
    for (const key of ['W', 'b'] as const) {
      expect(p32[key].dtype).toBe('float32');
      expect(p32[key].data).toBeInstanceOf(Float32Array);
      p64[key].data.forEach((v, i) => expect(p32[key].data[i], `${key}[${i}]`).toBeCloseTo(v, 5));
    }
    for (const table of state(f32)) for (const t of table.values()) expect(t.dtype).toBe('float32');
  });

  it('throws naming the key when grads has no entry for a param, before changing any param', () => {
    const optimizer = make();
    const params = paramsOf('float64');
    const { W } = gradsOf(0, 'float64');
    expect(() => optimizer.update(params, { W })).toThrow(
      `${optimizer.type}.update: grads has no entry "b" for params["b"] (shape [3]); grads needs a tensor under every key of params`,
    );
    expect(params.W.toArray()).toEqual(W0);
    for (const table of state(optimizer)) expect(table.size).toBe(0);
  });

  it('throws a ShapeError naming the key and both shapes for a grad of another shape, before changing any param', () => {
    const optimizer = make();
    const params = paramsOf('float64');
    const grads = {
      W: tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      b: tensor(b0),
    };
    expect(() => optimizer.update(params, grads)).toThrow(ShapeError);
    expect(() => optimizer.update(params, grads)).toThrow(
      `${optimizer.type}.update: grads["W"] has shape [3, 2] but params["W"] has shape [2, 3]; each grad must have the shape of its param (shapes [2, 3] ` +
        `and [3, 2])`,
    );
    expect(params.W.toArray()).toEqual(W0);
    expect(params.b.toArray()).toEqual(b0);
  });

  it('takes new keys on a later update, and refuses a known key whose shape changed', () => {
    const optimizer = make();
    const params = paramsOf('float64');
    optimizer.update({ W: params.W }, { W: gradsOf(0, 'float64').W });
    optimizer.update(params, gradsOf(1, 'float64'));
    for (const table of state(optimizer)) expect([...table.keys()].sort()).toEqual(['W', 'b']);
    const name = Object.keys(stateByName(optimizer))[0];
    if (name === undefined) return;
    const before = params.b.toArray();
    expect(() => optimizer.update({ W: tensor([1, 2, 3, 4]), b: params.b }, { W: tensor([1, 1, 1, 1]), b: tensor(b0) })).toThrow(
      `${optimizer.type}.update: params["W"] has shape [4] but its ${name} was made for shape [2, 3] by an earlier update; use a new optimizer for params ` +
        `of other shapes`,
    );
    expect(params.b.toArray()).toEqual(before);
  });
}
