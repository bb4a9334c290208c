import { builtinLayers } from '@dlfs/layers';
import { defaultSpec, Network, serializeModel } from '@dlfs/model';
import { Rng } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { SIMPLE_CONVNET } from '../ch7/simple-convnet.js';
import { Predictor } from './predictor.js';

function modelFile(inputs: number, scaler: unknown = { type: '255' }): string {
  const network = Network.build(defaultSpec(10, 6), { registry: builtinLayers(), inputShape: [inputs], rng: new Rng(4), classes: 10 });
  return serializeModel({
    network,
    classes: ['zero', 1, 2, 3, 4, 5, 6, 7, 8, 9],
    preprocessing: { scaler, label: 'label', featureNames: Array.from({ length: inputs }, (_, i) => `pixel${i}`) },
    training: { valAccuracy: 0.875 },
  });
}

const digit = Float32Array.from({ length: 784 }, (_, i) => (i * 37) % 256);

describe('Predictor', () => {
  it('reads a model file and gives ten probabilities that sum to 1', () => {
    const p = Predictor.fromModelFile(modelFile(784), 'model.json');
    expect(p.describe()).toBe('784-6-10');
    expect(p.trainingAccuracy()).toBe(0.875);
    expect(p.classes[0]).toBe('zero');
    const probs = p.probabilities(digit);
    expect(probs).toHaveLength(10);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    for (const v of probs) expect(v).toBeGreaterThan(0);
  });

  it('applies the model’s scaler before the network, as dlfs predict does', () => {
    const raw = Predictor.fromModelFile(modelFile(784, { type: 'none' }), 'raw.json');
    const scaled = Predictor.fromModelFile(modelFile(784), 'scaled.json');
    const byHand = raw.probabilities(digit.map((v) => v / 255));
    expect(Array.from(scaled.probabilities(digit))).toEqual(Array.from(byHand));
  });

  it('refuses a model that does not take 28 × 28 pixels, and a damaged file', () => {
    expect(() => Predictor.fromModelFile(modelFile(12), 'iris.json')).toThrow('iris.json: the model takes 12 features per sample, but a drawn digit has 784');
    expect(() => Predictor.fromModelFile(modelFile(784).replace('"label"', '"lab"'), 'edited.json')).toThrow(/edited\.json: fails its checksum/);
  });

  it('takes weight snapshots into the page’s own model', () => {
    const spec = defaultSpec(10, 3);
    const p = Predictor.fromSpec(spec, { type: '255' }, 'page');
    const zeros = {
      W1: new Float32Array(784 * 3),
      b1: new Float32Array(3),
      W2: new Float32Array(30),
      b2: Float32Array.from([0, 0, 0, Math.log(9), 0, 0, 0, 0, 0, 0]),
    };
    p.setWeights(zeros);
    // Scores are b2 alone: softmax gives class 3 the weight 9 against 1 for each of the other nine.
    expect(p.probabilities(digit)[3]).toBeCloseTo(0.5, 6);
    expect(() => p.setWeights({ ...zeros, W2: new Float32Array(3) })).toThrow('weights for W2: expected 30 values, got 3');
  });

  it('reads a SimpleConvNet model file (inputShape [1, 28, 28]) and explains a digit: saliency, feature maps and filters', () => {
    const network = Network.build(SIMPLE_CONVNET, { registry: builtinLayers(), inputShape: [1, 28, 28], rng: new Rng(2), classes: 10 });
    const text = serializeModel({
      network,
      classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      preprocessing: { scaler: { type: '255' }, label: 'label', featureNames: Array.from({ length: 784 }, (_, i) => `pixel${i}`) },
      training: {},
    });
    const p = Predictor.fromModelFile(text, 'conv.json');
    expect(p.describe()).toBe('1×28×28-conv 30×5×5-100-10');
    expect(p.convolutional).toBe(true);
    const e = p.explain(digit);
    expect(Array.from(e.probabilities)).toEqual(Array.from(p.probabilities(digit)));
    expect(e.best).toBe(e.probabilities.indexOf(Math.max(...e.probabilities)));
    expect(e.saliency).toHaveLength(784);
    expect(e.saliency.some((g) => g !== 0)).toBe(true);
    expect(e.featureMaps).toMatchObject({ count: 30, height: 24, width: 24 });
    expect(e.featureMaps!.values).toHaveLength(30 * 24 * 24);
    expect(Math.min(...e.featureMaps!.values)).toBeGreaterThanOrEqual(0);
    const filters = p.filters()!;
    expect(filters).toMatchObject({ count: 30, size: 5 });
    expect(Array.from(filters.values)).toEqual(Array.from(network.params.W1!.data));
  });

  it('explains a two-layer net too, which has no filters', () => {
    const p = Predictor.fromModelFile(modelFile(784), 'model.json');
    expect(p.convolutional).toBe(false);
    expect(p.filters()).toBeUndefined();
    const e = p.explain(digit);
    expect(e.featureMaps).toBeUndefined();
    expect(e.saliency.some((g) => g !== 0)).toBe(true);
  });
});
