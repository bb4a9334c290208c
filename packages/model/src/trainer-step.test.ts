import { SGD } from '@dlfs/optimizers';
import { Rng } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Network } from './network.js';
import { defaultSpec, type NetworkSpec } from './spec.js';
import { planRun, seedStreams, train, Trainer } from './trainer.js';
import { blobs, masksDrawn, snapshotParams, passRegistry } from './test-support/index.js';

const data = blobs(250, 4, 3, new Rng(5));
const val = blobs(60, 4, 3, new Rng(6));

function net(spec: NetworkSpec = defaultSpec(3, 8), seed = 1): Network {
  return Network.build(spec, { registry: passRegistry(), inputShape: [4], rng: new Rng(seed), classes: 3 });
}

describe('planRun', () => {
  it("computes the book's iter_per_epoch and the run's length once", () => {
    expect(planRun({ rows: 250, batchSize: 100, iterations: 5 })).toEqual({
      rows: 250,
      batchSize: 100,
      sampling: 'replacement',
      itersPerEpoch: 2,
      iterations: 5,
      epochs: 3,
    });
    expect(planRun({ rows: 250, batchSize: 100, epochs: 2, sampling: 'epoch' })).toMatchObject({ itersPerEpoch: 3, iterations: 6, epochs: 2 });
    expect(planRun({ rows: 30, batchSize: 100, epochs: 2 })).toMatchObject({ batchSize: 30, itersPerEpoch: 1, iterations: 2 });
    expect(planRun({ rows: 9000, batchSize: 100 })).toMatchObject({ itersPerEpoch: 90, iterations: 90, epochs: 1 });
  });

  it('refuses iterations and epochs together, and counts that are not whole numbers >= 1', () => {
    expect(() => planRun({ rows: 10, batchSize: 5, iterations: 3, epochs: 2 })).toThrow('train: give iterations (3) or epochs (2), not both');
    expect(() => planRun({ rows: 10, batchSize: 0 })).toThrow(/batchSize must be a whole number >= 1/);
    expect(() => planRun({ rows: 10, batchSize: 5, iterations: 2.5 })).toThrow(/iterations must be a whole number >= 1/);
  });
});

describe('seedStreams', () => {
  it('forks split, init, batch, pass and augment from the seed in that order (the order dlfs train always used for the first three)', () => {
    const s = seedStreams(42);
    const root = new Rng(42);
    const expected = [root.fork(), root.fork(), root.fork(), root.fork(), root.fork()];
    const got = [s.split, s.init, s.batch, s.pass, s.augment];
    got.forEach((rng, i) => expect(rng.nextUint32(), `stream ${i}`).toBe(expected[i]!.nextUint32()));
  });
});

describe('Trainer', () => {
  it('step() by step() gives exactly what train() gives', () => {
    const a = net();
    const viaTrain = train(a, data, val, { optimizer: new SGD({ lr: 0.5 }), batchSize: 50, iterations: 12, rng: new Rng(7) });
    const b = net();
    const trainer = new Trainer(b, data, val, { optimizer: new SGD({ lr: 0.5 }), batchSize: 50, iterations: 12, rng: new Rng(7) });
    expect(trainer.plan.itersPerEpoch).toBe(5);
    const ended: number[] = [];
    while (!trainer.finished) {
      const r = trainer.step();
      if (r.epochEnded) ended.push(r.epochEnded.iteration);
    }
    expect(ended).toEqual([5, 10, 12]);
    expect(() => trainer.step()).toThrow(/the run is over/);
    const viaSteps = trainer.result();
    expect(viaSteps.history).toEqual(viaTrain.history);
    expect(snapshotParams(b.params)).toEqual(snapshotParams(a.params));
    expect(viaSteps.iterations).toBe(12);
  });

  it('restores the last good epoch, state included, when the loss stops being finite', () => {
    const spec: NetworkSpec = { layers: [{ type: 'running-centre' }, { type: 'nan-after', after: 7 }, ...defaultSpec(3, 8).layers], loss: 'softmax-with-loss' };
    const network = net(spec);
    const trainer = new Trainer(network, data, undefined, { optimizer: new SGD({ lr: 0.1 }), batchSize: 50, iterations: 20, rng: new Rng(1) });
    for (let i = 0; i < 5; i++) trainer.step();
    // Epoch 1 ended at iteration 5: its weights and running mean are the last good ones.
    const good = { params: snapshotParams(network.params), state: snapshotParams(network.state) };
    trainer.step();
    trainer.step();
    expect(snapshotParams(network.state)).not.toEqual(good.state);
    const r = trainer.step();
    expect(r.stopped).toBe('non-finite-loss');
    expect(trainer.finished).toBe(true);
    expect(snapshotParams(network.params)).toEqual(good.params);
    expect(snapshotParams(network.state)).toEqual(good.state);
    expect(trainer.result().stopped).toBe('non-finite-loss');
  });

  it("draws every training pass's randomness from passRng: the same seed, the same masks", () => {
    const spec: NetworkSpec = { layers: [{ type: 'coin-mask' }, ...defaultSpec(3, 8).layers], loss: 'softmax-with-loss' };
    const run = (passSeed: number): number[][] => {
      masksDrawn.length = 0;
      train(net(spec), data, undefined, { optimizer: new SGD(), batchSize: 10, iterations: 3, rng: new Rng(1), passRng: new Rng(passSeed) });
      return masksDrawn.map((m) => [...m]);
    };
    const a = run(5);
    expect(a).toHaveLength(3);
    expect(run(5)).toEqual(a);
    expect(run(6)).not.toEqual(a);
  });

  it('stops where requestStop is called, keeping the weights it has', () => {
    const network = net();
    const trainer = new Trainer(network, data, undefined, { optimizer: new SGD({ lr: 0.5 }), batchSize: 50, epochs: 4, rng: new Rng(1) });
    trainer.step();
    trainer.step();
    trainer.requestStop();
    expect(trainer.finished).toBe(true);
    expect(trainer.result()).toMatchObject({ iterations: 2, stopped: 'requested' });
  });

  it('takes a built-in optimizer by name, and refuses what is neither, naming the argument', () => {
    const trainer = new Trainer(net(), data, undefined, { optimizer: 'adam', batchSize: 10, iterations: 2, rng: new Rng(1) });
    expect(trainer.run().iterations).toBe(2);
    expect(() => new Trainer(net(), data, undefined, { optimizer: 'adamw', batchSize: 10, iterations: 1, rng: new Rng(1) })).toThrow(
      'train: optimizer "adamw" is not a built-in optimizer; known: adagrad, adam, momentum, nesterov, rmsprop, sgd',
    );
    for (const bad of [undefined, {}, 3]) {
      expect(() => new Trainer(net(), data, undefined, { optimizer: bad as never, batchSize: 10, iterations: 1, rng: new Rng(1) })).toThrow(TypeError);
    }
    expect(() => new Trainer(net(), data, undefined, { optimizer: 'sgd', batchSize: 10, iterations: 1, rng: 7 as never })).toThrow(/rng must be an Rng/);
    expect(() => new Trainer(net(), data, undefined, { optimizer: 'sgd', batchSize: 10, iterations: 1, epochs: 1, rng: new Rng(1) })).toThrow(TypeError);
  });
});

describe('Trainer augment', () => {
  it('changes each training batch before it is trained on, and never the evaluation', () => {
    const seen: number[] = [];
    const network = net();
    const trainer = new Trainer(network, data, val, {
      optimizer: new SGD({ lr: 0.1 }),
      batchSize: 50,
      iterations: 5,
      rng: new Rng(1),
      augment: (x) => {
        seen.push(x.shape[0]!);
        x.data.fill(0);
      },
    });
    trainer.run();
    // Five batches of 50, each zeroed before training: the network learnt from nothing but biases.
    expect(seen).toEqual([50, 50, 50, 50, 50]);
    expect(Array.from(data.x.data.slice(0, 4)).some((v) => v !== 0)).toBe(true);
  });
});
