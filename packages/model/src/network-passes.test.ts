import { checkGradients } from '@dlfs/gradcheck';
import { randn, Rng, type Tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { bookNames, Network } from './network.js';
import { defaultSpec, type NetworkSpec, SpecError } from './spec.js';
import { masksDrawn, shapesSeen, passRegistry } from './test-support/index.js';

function build(spec: NetworkSpec, inputShape: number[], dtype: 'float32' | 'float64' = 'float64'): Network {
  return Network.build(spec, { registry: passRegistry(), inputShape, rng: new Rng(1), dtype, classes: 3 });
}

const centred: NetworkSpec = {
  layers: [{ type: 'affine', units: 4, weightInitStd: 0.5 }, { type: 'running-centre' }, { type: 'relu' }, { type: 'affine', units: 3, weightInitStd: 0.5 }],
  loss: 'softmax-with-loss',
};

describe("the book's names", () => {
  it('count each name on its own, as MultiLayerNetExtend names W1, b1, gamma1, beta1, W2, b2', () => {
    const names = bookNames([{ W: 0, b: 0 }, { gamma: 0, beta: 0 }, {}, { W: 0, b: 0 }, { gamma: 0, beta: 0 }, { W: 0, b: 0 }]).map((n) => n.name);
    expect(names).toEqual(['W1', 'b1', 'gamma1', 'beta1', 'W2', 'b2', 'gamma2', 'beta2', 'W3', 'b3']);
  });

  it('do not rename the weights after a layer that is inserted', () => {
    const plain = build(defaultSpec(3, 4), [5]);
    const withCentre = build(centred, [5]);
    expect(Object.keys(plain.params)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(Object.keys(withCentre.params)).toEqual(['W1', 'b1', 'beta1', 'W2', 'b2']);
    expect(withCentre.params.W2!.shape).toEqual(plain.params.W2!.shape);
  });

  it('name state the same way, apart from params, so optimizers never see it', () => {
    const net = build(centred, [5]);
    expect(Object.keys(net.state)).toEqual(['runningMean1']);
    expect(net.state.runningMean1).toBe(net.layers[1]!.state!.runningMean);
    expect(Object.values(net.params)).not.toContain(net.state.runningMean1);
    expect(Object.keys(net.grads)).toEqual(Object.keys(net.params));
  });
});

describe('passes', () => {
  it('a training pass updates state and an evaluation pass reads it', () => {
    const net = build(centred, [5]);
    const x = randn([6, 5], new Rng(2));
    const before = Float64Array.from(net.state.runningMean1!.data);
    const evalScores = net.predict(x).clone();
    expect(net.state.runningMean1!.data).toEqual(before);
    net.predict(x, true);
    expect(net.state.runningMean1!.data).not.toEqual(before);
    expect(net.predict(x).data).not.toEqual(evalScores.data);
    // A training pass that may not update state leaves it as it was.
    const now = Float64Array.from(net.state.runningMean1!.data);
    net.predict(x, { train: true, updateState: false });
    expect(net.state.runningMean1!.data).toEqual(now);
  });

  it('a pass with the same rng seed draws the same mask', () => {
    const spec: NetworkSpec = { layers: [{ type: 'coin-mask' }, { type: 'affine', units: 3 }], loss: 'softmax-with-loss' };
    const net = build(spec, [8]);
    const x = randn([2, 8], new Rng(3));
    masksDrawn.length = 0;
    net.predict(x, { train: true, rng: new Rng(9) });
    net.predict(x, { train: true, rng: new Rng(9) });
    net.predict(x, { train: true, rng: new Rng(10) });
    expect(masksDrawn[1]).toEqual(masksDrawn[0]);
    expect(masksDrawn[2]).not.toEqual(masksDrawn[0]);
  });

  it('the gradient check takes loss and gradients in the same training pass, replayed for every probe', () => {
    const spec: NetworkSpec = {
      layers: [
        { type: 'affine', units: 6, weightInitStd: 0.5 },
        { type: 'coin-mask' },
        { type: 'running-centre' },
        { type: 'relu' },
        { type: 'affine', units: 3, weightInitStd: 0.5 },
      ],
      loss: 'softmax-with-loss',
    };
    const net = build(spec, [4]);
    const x = randn([5, 4], new Rng(4));
    const state = Float64Array.from(net.state.runningMean1!.data);
    const train = checkGradients(net.gradientCheckTarget(x, [0, 1, 2, 1, 0], { seed: 11 }));
    expect(train.ok, train.summary).toBe(true);
    const evaluation = checkGradients(net.gradientCheckTarget(x, [0, 1, 2, 1, 0], { train: false }));
    expect(evaluation.ok, evaluation.summary).toBe(true);
    // Frozen state: a thousand probes later the running mean is where it was.
    expect(net.state.runningMean1!.data).toEqual(state);
  });
});

describe("a spec's inputShape", () => {
  const spec: NetworkSpec = { inputShape: [1, 2, 3], layers: [{ type: 'shape-recorder' }, { type: 'affine', units: 3 }], loss: 'softmax-with-loss' };

  it('views rows of features as samples of that shape, without copying', () => {
    const net = build(spec, [6]);
    expect(net.inputShape).toEqual([1, 2, 3]);
    expect(net.layers[0]!.outputShape).toEqual([1, 2, 3]);
    shapesSeen.length = 0;
    const x: Tensor = randn([4, 6], new Rng(5));
    net.predict(x);
    expect(shapesSeen).toEqual([[4, 1, 2, 3]]);
    // Affine flattens [batch, 1, 2, 3] back: the same scores as on the rows.
    const flat = build({ layers: [{ type: 'affine', units: 3 }], loss: 'softmax-with-loss' }, [6]);
    expect(net.predict(x).data).toEqual(flat.predict(x).data);
  });

  it('refuses data whose rows do not hold as many features, naming both numbers', () => {
    try {
      Network.build(spec, { registry: passRegistry(), inputShape: [7], rng: new Rng(1), source: 'net.json' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SpecError);
      expect((err as Error).message).toMatch(/^net\.json: inputShape: \[1, 2, 3\] takes 6 features per sample but the data has 7 per row/);
    }
  });

  it('changes nothing when absent', () => {
    expect(build(defaultSpec(3, 4), [6]).inputShape).toEqual([6]);
  });
});
