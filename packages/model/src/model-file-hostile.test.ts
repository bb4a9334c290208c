import { affine, type LayerDef, LayerRegistry, relu, sigmoid } from '@dlfs/layers';
import { Rng } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { crc32 } from './encoding.js';
import { ModelFileError, parseModel, serializeModel } from './model-file.js';
import { Network } from './network.js';
import type { NetworkSpec } from './spec.js';
import { SpecError } from './spec.js';
import { passRegistry } from './test-support/index.js';

// Hand-edited model files with a valid checksum: every one is refused with a message, before
// anything the spec implies is allocated.

/** A registry of the built-in layers whose affine counts how often it was created. */
function countingRegistry(): { registry: LayerRegistry; creates: () => number } {
  let n = 0;
  const counted: LayerDef = {
    ...(affine as unknown as LayerDef),
    create(config, ctx) {
      n++;
      return (affine as unknown as LayerDef).create(config, ctx);
    },
  };
  return { registry: new LayerRegistry([counted, relu as unknown as LayerDef, sigmoid as unknown as LayerDef]), creates: () => n };
}

const spec: NetworkSpec = {
  layers: [{ type: 'affine', units: 6 }, { type: 'running-centre' }, { type: 'sigmoid' }, { type: 'affine', units: 3 }],
  loss: 'softmax-with-loss',
};
const network = Network.build(spec, { registry: passRegistry(), inputShape: [4], rng: new Rng(1), classes: 3 });
const text = serializeModel({
  network,
  classes: [0, 1, 2],
  preprocessing: { scaler: { type: 'none' }, label: 'label', featureNames: ['a', 'b', 'c', 'd'] },
  training: {},
});
const plain = serializeModel({
  network: Network.build(
    { layers: [{ type: 'affine', units: 8 }, { type: 'relu' }, { type: 'affine', units: 3 }], loss: 'softmax-with-loss' },
    {
      registry: passRegistry(),
      inputShape: [4],
      rng: new Rng(2),
    },
  ),
  classes: [0, 1, 2],
  preprocessing: { scaler: { type: '255' }, label: null, featureNames: ['a', 'b', 'c', 'd'] },
  training: {},
});

function resealed(file: string, edit: (json: Record<string, any>) => void): string {
  const { checksum: _old, ...body } = JSON.parse(file) as Record<string, any>;
  edit(body);
  return JSON.stringify({ ...body, checksum: crc32(JSON.stringify(body)) });
}

/** Float values as the file's base64 of little-endian float32. */
function float32Base64(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString('base64');
}

function loadError(file: string, registry: LayerRegistry = passRegistry()): { err: Error; ms: number } {
  const start = performance.now();
  try {
    parseModel(file, { registry, source: 'model.json' });
  } catch (err) {
    return { err: err as Error, ms: performance.now() - start };
  }
  throw new Error('parseModel accepted the file');
}

describe('hostile model files', () => {
  it('NaN or infinite weights are refused, naming the tensor and the first bad index', () => {
    const nan = resealed(text, (j) => {
      const values = Array.from(new Float32Array(Uint8Array.from(Buffer.from(j.weights.W2.data, 'base64')).buffer));
      values[4] = Number.NaN;
      values[10] = Number.POSITIVE_INFINITY;
      j.weights.W2.data = float32Base64(values);
    });
    const { err } = loadError(nan);
    expect(err).toBeInstanceOf(ModelFileError);
    expect(err.message).toBe(
      'model.json: weights "W2" hold NaN at index 4 ([1, 1] of [6, 3]); a model holds finite numbers only: ' +
        'train again (with a smaller learning rate if the loss blew up) or restore the file from a copy',
    );
  });

  it('non-finite state is refused too', () => {
    const bad = resealed(text, (j) => (j.state.runningMean1.data = float32Base64([0, 0, 0, -Infinity, 0, 0])));
    expect(loadError(bad).err.message).toMatch(
      /^model\.json: state "runningMean1" holds -Infinity at index 3 \(\[3\] of \[6\]\); a model holds finite numbers only/,
    );
  });

  it('an affine of two billion units fails at once, naming the layer and the bytes', () => {
    const { err, ms } = loadError(resealed(plain, (j) => (j.spec.layers[2].units = 2_000_000_000)));
    expect(err).toBeInstanceOf(SpecError);
    expect(err.message).toMatch(
      /^model\.json \(spec\): layers\[2\] \(affine\): W \[8, 2000000000\] would have 16,000,000,000 elements \(60 GiB as float32\); the limit is/,
    );
    expect(ms).toBeLessThan(1000);
  });

  it('a billion input features fail at once', () => {
    const { err, ms } = loadError(resealed(plain, (j) => (j.inputShape = [1_000, 1_000_000])));
    expect(err).toBeInstanceOf(SpecError);
    expect(err.message).toMatch(/^model\.json \(spec\): inputShape: one input sample \[1000, 1000000\] would have 1,000,000,000 elements/);
    expect(ms).toBeLessThan(1000);
  });

  it('5,000 layers fail at once', () => {
    const { err, ms } = loadError(resealed(plain, (j) => (j.spec.layers = Array.from({ length: 5000 }, () => ({ type: 'relu' })))));
    expect(err).toBeInstanceOf(SpecError);
    expect(err.message).toMatch(/^model\.json \(spec\): layers: has 5,000 layers but a network may have at most 1,000/);
    expect(ms).toBeLessThan(1000);
  });

  it('a spec that implies more than the file holds fails before any layer is created, naming the tensor', () => {
    const { registry, creates } = countingRegistry();
    const wider = resealed(plain, (j) => (j.spec.layers[0].units = 800_000));
    expect(loadError(wider, registry).err.message).toBe('model.json: weights "W1" have shape [4,8] but the spec needs [4, 800000]');
    // Declared shapes changed to match: the bytes the file holds still give it away.
    const declared = resealed(wider, (j) => {
      j.weights.W1.shape = [4, 800_000];
      j.weights.b1.shape = [800_000];
    });
    expect(loadError(declared, registry).err.message).toBe('model.json: weights "W1" hold 128 bytes but [4, 800000] float32 needs 12800000');
    expect(creates()).toBe(0);
    // The file as written loads through the same registry.
    expect(parseModel(plain, { registry }).network.layers).toHaveLength(3);
    expect(creates()).toBe(2);
  });

  it("version 1's positional names are compared before building too", () => {
    const { registry, creates } = countingRegistry();
    const v1 = resealed(plain, (j) => {
      j.version = 1;
      delete j.state;
      j.spec.layers[2].units = 30;
    });
    expect(loadError(v1, registry).err.message).toBe('model.json: weights "W2" have shape [8,3] but the spec needs [8, 30]');
    expect(creates()).toBe(0);
  });

  it('after a plugin layer without shapes the file is checked once the network is built', () => {
    const longer = resealed(text, (j) => (j.spec.layers[3].units = 5));
    const { err } = loadError(longer);
    expect(err).toBeInstanceOf(SpecError);
    expect(err.message).toMatch(/the network ends with 5 outputs per sample but the data has 3 classes/);
    const shorter = resealed(text, (j) => {
      j.spec.layers[3].units = 5;
      j.classes = [0, 1, 2, 3, 4];
    });
    expect(loadError(shorter).err.message).toBe('model.json: weights "W2" have shape [6,3] but the spec needs [6, 5]');
  });
});
