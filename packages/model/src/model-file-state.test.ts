import { readFileSync } from 'node:fs';
import { builtinLayers } from '@dlfs/layers';
import { SGD } from '@dlfs/optimizers';
import { Rng, Tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { crc32 } from './encoding.js';
import { MODEL_FORMAT_VERSION, ModelFileError, parseModel, serializeModel } from './model-file.js';
import { Network } from './network.js';
import type { NetworkSpec } from './spec.js';
import { train } from './trainer.js';
import { blobs, gain, mnistRows, mnistSample, passRegistry } from './test-support/index.js';

const data = blobs(120, 4, 3, new Rng(5));
const spec: NetworkSpec = {
  layers: [{ type: 'affine', units: 6 }, { type: 'running-centre' }, { type: 'relu' }, { type: 'affine', units: 3 }],
  loss: 'softmax-with-loss',
};
const preprocessing = { scaler: { type: 'none' }, label: 'label', featureNames: ['a', 'b', 'c', 'd'] };

function resealed(text: string, edit: (json: Record<string, any>) => void): string {
  const { checksum: _old, ...body } = JSON.parse(text) as Record<string, any>;
  edit(body);
  return JSON.stringify({ ...body, checksum: crc32(JSON.stringify(body)) }, null, 2);
}

describe('model files with state (format version 2)', () => {
  const network = Network.build(spec, { registry: passRegistry(), inputShape: [4], rng: new Rng(1), classes: 3 });
  train(network, data, undefined, { optimizer: new SGD({ lr: 0.3 }), batchSize: 20, iterations: 15, rng: new Rng(2) });
  const text = serializeModel({ network, classes: [0, 1, 2], preprocessing, training: {} });

  it('saves the state beside the weights, under the book names', () => {
    const json = JSON.parse(text) as Record<string, any>;
    expect(json.version).toBe(2);
    expect(MODEL_FORMAT_VERSION).toBe(2);
    expect(Object.keys(json.weights)).toEqual(['W1', 'b1', 'beta1', 'W2', 'b2']);
    expect(Object.keys(json.state)).toEqual(['runningMean1']);
    // Training moved the running mean off its initial zeros: there is something to save.
    expect(Array.from(network.state.runningMean1!.data).some((v) => v !== 0)).toBe(true);
  });

  it('restores the state, so the loaded model predicts the same as the saved one', () => {
    const loaded = parseModel(text, { registry: passRegistry() });
    expect(Array.from(loaded.network.state.runningMean1!.data)).toEqual(Array.from(network.state.runningMean1!.data));
    expect(Array.from(loaded.network.predict(data.x).data)).toEqual(Array.from(network.predict(data.x).data));
  });

  it('refuses a file whose state is missing, extra or the wrong size, naming it', () => {
    const load = (t: string) => () => parseModel(t, { registry: passRegistry(), source: 'model.json' });
    expect(load(resealed(text, (j) => delete j.state.runningMean1))).toThrow('model.json: has no state for "runningMean1", which its spec needs');
    expect(load(resealed(text, (j) => (j.state.runningVar1 = j.state.runningMean1)))).toThrow(
      'model.json: has state "runningVar1" that its spec has no place for (the network\'s state tensors: runningMean1)',
    );
    expect(load(resealed(text, (j) => (j.state.runningMean1.shape = [5])))).toThrow('model.json: state "runningMean1" has shape [5] but the spec needs [6]');
    expect(load(resealed(text, (j) => (j.state = [])))).toThrow(ModelFileError);
  });
});

describe('model files of format version 1 (written by dlfs before state existed)', () => {
  const fixture = (name: string): string => readFileSync(new URL(`./test-support/fixtures/${name}`, import.meta.url), 'utf8');
  const expected = JSON.parse(fixture('v1-predictions.json')) as { rows: number; predictions: Record<string, number[]> };
  const sample = mnistSample();
  const rows = expected.rows;
  const pixels = (): Tensor =>
    new Tensor(
      Float32Array.from(sample.x.data.subarray(0, rows * 784), (v) => Math.round(v * 255)),
      [rows, 784],
    );

  it('still load, and predict what the dlfs that wrote them predicted', () => {
    const model = parseModel(fixture('v1-mnist.json'), { registry: builtinLayers(), source: 'v1-mnist.json' });
    expect(Object.keys(model.network.params)).toEqual(['W1', 'b1', 'W2', 'b2']);
    const x = pixels();
    model.scaler.transform(x, x);
    expect(Array.from(model.network.predictClasses(x))).toEqual(expected.predictions['v1-mnist.json']);
  });

  it("map version 1's positional names onto the book's names", () => {
    // Version 1 called the gain layer's g "g1" and the affine weights after it W2, b2, W3, b3.
    const text = fixture('v1-gain.json');
    expect(Object.keys(JSON.parse(text).weights)).toEqual(['g1', 'W2', 'b2', 'W3', 'b3']);
    const model = parseModel(text, { registry: builtinLayers().register(gain), source: 'v1-gain.json' });
    expect(Object.keys(model.network.params)).toEqual(['g1', 'W1', 'b1', 'W2', 'b2']);
    const x = pixels();
    model.scaler.transform(x, x);
    expect(Array.from(model.network.predictClasses(x))).toEqual(expected.predictions['v1-gain.json']);
  });

  it('refuses a version 1 file that carries a state section', () => {
    const text = resealed(fixture('v1-mnist.json'), (j) => (j.state = {}));
    expect(() => parseModel(text, { registry: builtinLayers(), source: 'v1.json' })).toThrow(
      'v1.json: is a version 1 file with a "state" section, which version 1 does not have',
    );
  });
});

describe('model files of the chapter 6 and 7 layers', () => {
  // Every new built-in in one net: conv2d, max-pool, batch-norm (per channel, then per feature), dropout.
  const convSpec: NetworkSpec = {
    inputShape: [1, 28, 28],
    layers: [
      { type: 'conv2d', filters: 4, size: 5, stride: 2, weightInitStd: 'he' },
      { type: 'batch-norm' },
      { type: 'relu' },
      { type: 'max-pool', size: 2 },
      { type: 'affine', units: 20, weightInitStd: 'he' },
      { type: 'batch-norm', momentum: 0.8 },
      { type: 'relu' },
      { type: 'dropout', ratio: 0.3 },
      { type: 'affine', units: 10 },
    ],
    loss: 'softmax-with-loss',
  };
  const digits = mnistRows(0, 200);
  const classes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const pixels = { ...preprocessing, featureNames: Array.from({ length: 784 }, (_, i) => `pixel${i}`) };
  /** Builds, trains 20 steps and serializes, all from `seed`. */
  function trained(seed: number): { network: Network; text: string } {
    const network = Network.build(convSpec, { registry: builtinLayers(), inputShape: [784], rng: new Rng(seed), dtype: 'float32', classes: 10 });
    train(network, digits, undefined, { optimizer: new SGD({ lr: 0.05 }), batchSize: 20, iterations: 20, rng: new Rng(seed + 1), passRng: new Rng(seed + 2) });
    return { network, text: serializeModel({ network, classes, preprocessing: pixels, training: {} }) };
  }
  const a = trained(7);

  it('hold the filters, gamma and beta, and the running statistics as state', () => {
    const json = JSON.parse(a.text) as Record<string, any>;
    expect(Object.keys(json.weights)).toEqual(['W1', 'b1', 'gamma1', 'beta1', 'W2', 'b2', 'gamma2', 'beta2', 'W3', 'b3']);
    expect(Object.keys(json.state)).toEqual(['runningMean1', 'runningVar1', 'runningMean2', 'runningVar2']);
    expect(a.network.params.W1!.shape).toEqual([4, 1, 5, 5]);
    expect(a.network.state.runningVar1!.shape).toEqual([4]);
    expect(a.network.state.runningMean2!.shape).toEqual([20]);
  });

  it('are byte-identical from the same seed (dropout masks included), and differ from another seed', () => {
    expect(trained(7).text).toBe(a.text);
    expect(trained(8).text).not.toBe(a.text);
  });

  it('load into a net that predicts exactly what the saved one predicted, batch-norm statistics and all', () => {
    const loaded = parseModel(a.text, { registry: builtinLayers() });
    const test = mnistRows(500, 300);
    expect(Array.from(loaded.network.predict(test.x).data)).toEqual(Array.from(a.network.predict(test.x).data));
    expect(loaded.network.predictClasses(test.x)).toEqual(a.network.predictClasses(test.x));
    // The running statistics matter: reset to their initial 0 and 1, the predictions change.
    loaded.network.state.runningMean1!.data.fill(0);
    loaded.network.state.runningVar1!.data.fill(1);
    expect(Array.from(loaded.network.predict(test.x).data)).not.toEqual(Array.from(a.network.predict(test.x).data));
  });
});
