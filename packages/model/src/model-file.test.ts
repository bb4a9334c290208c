import { builtinLayers } from '@dlfs/layers';
import { SGD } from '@dlfs/optimizers';
import { Rng, type Tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { crc32 } from './encoding.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelContents, ModelFileError, parseModel, serializeModel } from './model-file.js';
import { Network } from './network.js';
import { defaultSpec, type NetworkSpec, SpecError } from './spec.js';
import { train } from './trainer.js';
import { blobs, mnistRows, testRegistry } from './test-support/index.js';

/** The bytes of a tensor's values: equal bytes mean bit-identical numbers. */
function bytesOf(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

const data = blobs(120, 4, 3, new Rng(5));

/** A small network trained for a few iterations, with everything a model file records. */
function trainedContents(opts: { seed?: number; dtype?: 'float32' | 'float64'; spec?: NetworkSpec } = {}): ModelContents {
  const seed = opts.seed ?? 1;
  const network = Network.build(opts.spec ?? defaultSpec(3, 8), {
    registry: testRegistry(),
    inputShape: [4],
    rng: new Rng(seed),
    dtype: opts.dtype,
    classes: 3,
  });
  const result = train(network, data, undefined, { optimizer: new SGD({ lr: 0.5 }), batchSize: 20, iterations: 12, rng: new Rng(seed + 1) });
  return {
    network,
    classes: ['setosa', 'versicolor', 7],
    preprocessing: { scaler: { type: 'minmax', min: [0, 0, -1, 0], max: [1, 2, 1, 5] }, label: 'species', featureNames: ['a', 'b', 'größe', 'd'] },
    training: { optimizer: 'sgd', lr: 0.5, iterations: result.iterations, trainAccuracy: result.trainAccuracy },
  };
}

/** The file's JSON, changed by `edit`, sealed again with a valid checksum (as a careful hand edit would be). */
function resealed(text: string, edit: (json: Record<string, any>) => void): string {
  const { checksum: _old, ...body } = JSON.parse(text) as Record<string, any>;
  edit(body);
  return JSON.stringify({ ...body, checksum: crc32(JSON.stringify(body)) }, null, 2);
}

function loadError(text: string, registry = testRegistry()): Error {
  try {
    parseModel(text, { registry, source: 'model.json' });
  } catch (err) {
    return err as Error;
  }
  throw new Error('parseModel accepted the file');
}

function expectFileError(text: string, message: string | RegExp): void {
  const err = loadError(text);
  expect(err).toBeInstanceOf(ModelFileError);
  expect((err as ModelFileError).source).toBe('model.json');
  if (typeof message === 'string') expect(err.message).toBe(`model.json: ${message}`);
  else expect(err.message).toMatch(message);
}

describe('serializeModel and parseModel', () => {
  const contents = trainedContents();
  const text = serializeModel(contents);

  it('round-trips to a network with bit-identical weights and predictions', () => {
    const loaded = parseModel(text, { registry: testRegistry() });
    expect(Object.keys(loaded.network.params)).toEqual(['W1', 'b1', 'W2', 'b2']);
    for (const [name, p] of Object.entries(contents.network.params)) {
      const q = loaded.network.params[name]!;
      expect(q.shape).toEqual(p.shape);
      expect(q.dtype).toBe(p.dtype);
      expect(bytesOf(q), name).toEqual(bytesOf(p));
    }
    expect(bytesOf(loaded.network.predict(data.x))).toEqual(bytesOf(contents.network.predict(data.x)));
    expect(loaded.network.predictClasses(data.x)).toEqual(contents.network.predictClasses(data.x));
  });

  it('keeps the spec, input shape, dtype, classes, preprocessing and training summary', () => {
    const loaded = parseModel(text, { registry: testRegistry() });
    expect(loaded.network.spec).toEqual(contents.network.spec);
    expect(loaded.network.inputShape).toEqual([4]);
    expect(loaded.network.dtype).toBe('float32');
    expect(loaded.classes).toEqual(['setosa', 'versicolor', 7]);
    expect(loaded.preprocessing).toEqual(contents.preprocessing);
    expect(loaded.training).toEqual(contents.training);
    expect(loaded.scaler.type).toBe('minmax');
    expect(loaded.scaler.toJSON()).toEqual(contents.preprocessing.scaler);
  });

  it('writes the same text again from a loaded model', () => {
    const loaded = parseModel(text, { registry: testRegistry() });
    expect(serializeModel(loaded)).toBe(text);
  });

  it('round-trips a float64 network bit for bit', () => {
    const c64 = trainedContents({ dtype: 'float64', seed: 3 });
    const loaded = parseModel(serializeModel(c64), { registry: testRegistry() });
    expect(loaded.network.dtype).toBe('float64');
    for (const [name, p] of Object.entries(c64.network.params)) expect(bytesOf(loaded.network.params[name]!), name).toEqual(bytesOf(p));
    expect(bytesOf(loaded.network.predict(data.x))).toEqual(bytesOf(c64.network.predict(data.x)));
  });

  it('round-trips a network with a plugin layer through a registry that holds it', () => {
    const spec: NetworkSpec = {
      layers: [{ type: 'affine', units: 5 }, { type: 'gain' }, { type: 'relu' }, { type: 'affine', units: 3 }],
      loss: 'softmax-with-loss',
    };
    const plugin = trainedContents({ spec });
    const pluginText = serializeModel(plugin);
    const loaded = parseModel(pluginText, { registry: testRegistry() });
    expect(Object.keys(loaded.network.params)).toEqual(['W1', 'b1', 'g1', 'W2', 'b2']);
    expect(bytesOf(loaded.network.params.g1!)).toEqual(bytesOf(plugin.network.params.g1!));
    expect(bytesOf(loaded.network.predict(data.x))).toEqual(bytesOf(plugin.network.predict(data.x)));
    // A registry without the plugin cannot build it, and says which types it knows.
    const err = loadError(pluginText, builtinLayers());
    expect(err).toBeInstanceOf(SpecError);
    expect(err.message).toBe(
      'model.json (spec): layers[1] (gain): unknown layer type "gain"; ' +
        'known types: affine, batch-norm, conv2d, dropout, max-pool, relu, sigmoid (its input has shape [5])',
    );
  });

  it('writes format, version, spec, preprocessing, weights and a CRC-32 of the rest, as indented JSON', () => {
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe(`  "format": "${MODEL_FORMAT}",`);
    const json = JSON.parse(text) as Record<string, any>;
    expect(Object.keys(json)).toEqual([
      'format',
      'version',
      'spec',
      'inputShape',
      'dtype',
      'classes',
      'preprocessing',
      'training',
      'weights',
      'state',
      'checksum',
    ]);
    expect(json.format).toBe('dlfs-model');
    expect(json.version).toBe(MODEL_FORMAT_VERSION);
    const { checksum, ...body } = json;
    expect(checksum).toBe(crc32(JSON.stringify(body)));
    expect(json.weights.W1.shape).toEqual([4, 8]);
    // The weights are base64 of the little-endian float32 values.
    const bytes = Buffer.from(json.weights.W1.data as string, 'base64');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const W1 = contents.network.params.W1!.data;
    expect(bytes.length).toBe(W1.length * 4);
    for (let i = 0; i < W1.length; i++) expect(view.getFloat32(i * 4, true)).toBe(W1[i]);
  });

  it('gives a byte-identical file for the same seed and data, trained twice', () => {
    expect(serializeModel(trainedContents())).toBe(text);
    expect(serializeModel(trainedContents({ seed: 2 }))).not.toBe(text);
  });

  it('gives a byte-identical file for the same seed on real MNIST digits, trained twice', () => {
    const digits = mnistRows(0, 1000);
    const once = () => {
      const network = Network.build(defaultSpec(10), { registry: builtinLayers(), inputShape: [784], rng: new Rng(11), classes: 10 });
      train(network, digits, undefined, { optimizer: new SGD({ lr: 0.1 }), batchSize: 100, iterations: 20, rng: new Rng(12) });
      return serializeModel({
        network,
        classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        preprocessing: { scaler: { type: '255' }, label: 'label', featureNames: Array.from({ length: 784 }, (_, i) => `pixel${i}`) },
        training: { iterations: 20 },
      });
    };
    const a = once();
    expect(once()).toBe(a);
    const loaded = parseModel(a, { registry: builtinLayers(), source: 'digits.json' });
    expect(loaded.network.accuracy(digits.x, digits.labels)).toBeGreaterThan(0.1);
  });

  it('still reads a file whose whitespace was changed, since the checksum covers the JSON values', () => {
    const compact = JSON.stringify(JSON.parse(text));
    expect(bytesOf(parseModel(compact, { registry: testRegistry() }).network.params.W2!)).toEqual(bytesOf(contents.network.params.W2!));
  });

  it('names the file "model" when no source is given', () => {
    expect(() => parseModel('{', { registry: testRegistry() })).toThrow(/^model: is not valid JSON/);
  });

  describe('refuses, naming the file and the problem,', () => {
    it('a truncated file', () => {
      expectFileError(
        text.slice(0, Math.floor(text.length / 2)),
        /^model\.json: is not valid JSON, so it is truncated or damaged \(.+\); train again or restore it from a copy$/,
      );
      expectFileError(text.slice(0, -3), /^model\.json: is not valid JSON, so it is truncated/);
      expectFileError('', /^model\.json: is not valid JSON/);
    });

    it('a file with one weight character changed', () => {
      const json = JSON.parse(text) as Record<string, any>;
      const data0 = json.weights.W2.data as string;
      const i = 10;
      const changed = data0.slice(0, i) + (data0[i] === 'A' ? 'B' : 'A') + data0.slice(i + 1);
      const tampered = text.replace(data0, changed);
      expect(tampered).not.toBe(text);
      expectFileError(tampered, 'fails its checksum: it was changed after it was written or is damaged; train again or restore it from a copy');
    });

    it('a file whose spec or metadata was edited without fixing the checksum', () => {
      expectFileError(text.replace('"units": 8', '"units": 9'), /^model\.json: fails its checksum/);
      expectFileError(text.replace('"versicolor"', '"virginica"'), /^model\.json: fails its checksum/);
      expectFileError(text.replace('"lr": 0.5', '"lr": 0.05'), /^model\.json: fails its checksum/);
      const { checksum: _c, ...noChecksum } = JSON.parse(text) as Record<string, unknown>;
      expectFileError(JSON.stringify(noChecksum), /^model\.json: fails its checksum/);
    });

    it('a file of another format', () => {
      const message = 'is not a dlfs model file (no "format": "dlfs-model"); pass a file written by "dlfs train --out"';
      expectFileError(
        resealed(text, (j) => (j.format = 'keras-model')),
        message,
      );
      expectFileError('[1, 2]', message);
      expectFileError('null', message);
      expectFileError('{"layers": []}', message);
    });

    it('a newer format version', () => {
      expectFileError(
        resealed(text, (j) => (j.version = MODEL_FORMAT_VERSION + 1)),
        `has format version ${MODEL_FORMAT_VERSION + 1}, written by a newer dlfs; this one reads version ${MODEL_FORMAT_VERSION}. Upgrade dlfs`,
      );
    });

    it('an invalid format version', () => {
      expectFileError(
        resealed(text, (j) => (j.version = 0)),
        'has an invalid format version 0',
      );
      expectFileError(
        resealed(text, (j) => (j.version = '1')),
        'has an invalid format version "1"',
      );
      expectFileError(
        resealed(text, (j) => delete j.version),
        'has an invalid format version undefined',
      );
    });

    it('an unknown layer type, listing the known ones', () => {
      const err = loadError(resealed(text, (j) => (j.spec.layers[1].type = 'tanh')));
      expect(err).toBeInstanceOf(SpecError);
      expect(err.message).toBe(
        'model.json (spec): layers[1] (tanh): unknown layer type "tanh"; ' +
          'known types: affine, batch-norm, conv2d, dropout, gain, max-pool, nan-after, recorder, relu, sigmoid (its input has ' +
          'shape [8])',
      );
    });

    it('a malformed spec', () => {
      const err = loadError(resealed(text, (j) => (j.spec.layers = [])));
      expect(err).toBeInstanceOf(SpecError);
      expect(err.message).toMatch(/^model\.json \(spec\): layers: must be a non-empty array/);
      expect(loadError(resealed(text, (j) => (j.spec.optimizer = 'sgd'))).message).toBe(
        'model.json (spec): unknown key "optimizer"; a spec has "inputShape", "layers" and "loss"',
      );
    });

    it('a spec whose outputs do not match the classes', () => {
      const err = loadError(resealed(text, (j) => j.classes.push('extra')));
      expect(err).toBeInstanceOf(SpecError);
      expect(err.message).toMatch(/^model\.json \(spec\): layers\[2\]: the network ends with 3 outputs per sample but the data has 4 classes/);
    });

    it('a bad input shape, dtype or classes', () => {
      expectFileError(
        resealed(text, (j) => (j.inputShape = [0])),
        '"inputShape" must be an array of whole numbers > 0, got [0]',
      );
      expectFileError(
        resealed(text, (j) => (j.inputShape = 4)),
        '"inputShape" must be an array of whole numbers > 0, got 4',
      );
      expectFileError(
        resealed(text, (j) => (j.dtype = 'float16')),
        '"dtype" must be "float32" or "float64", got "float16"',
      );
      expectFileError(
        resealed(text, (j) => (j.classes = [true, false, null])),
        '"classes[0]" must be a label value (a string or a finite number), got true',
      );
      expectFileError(
        resealed(text, (j) => (j.classes = 'abc')),
        '"classes" must be an array of the label values',
      );
    });

    it('bad preprocessing', () => {
      const message = '"preprocessing" must hold "scaler", "label" and "featureNames"';
      expectFileError(
        resealed(text, (j) => delete j.preprocessing),
        message,
      );
      expectFileError(
        resealed(text, (j) => delete j.preprocessing.featureNames),
        '"preprocessing.featureNames" must be an array of the feature columns\' names, one per input feature (4), got nothing',
      );
      expectFileError(
        resealed(text, (j) => (j.preprocessing.label = 3)),
        '"preprocessing.label" must be the label column\'s name, or null for none, got 3',
      );
    });

    it('a bad scaler', () => {
      expectFileError(
        resealed(text, (j) => (j.preprocessing.scaler = { type: 'zscore' })),
        /^model\.json: "preprocessing\.scaler" is not valid: a saved scaler's "type" must be one of "minmax", "255", "none", got "zscore"$/,
      );
      expectFileError(
        resealed(text, (j) => (j.preprocessing.scaler.min[1] = 3)),
        /^model\.json: "preprocessing\.scaler" is not valid: a saved minmax scaler has min\[1\] = 3 above max\[1\] = 2$/,
      );
      expectFileError(
        resealed(text, (j) => delete j.preprocessing.scaler),
        /^model\.json: "preprocessing\.scaler" is not valid: a saved scaler must be an object/,
      );
    });

    it('weights of the wrong shape', () => {
      expectFileError(
        resealed(text, (j) => (j.weights.W1.shape = [8, 4])),
        'weights "W1" have shape [8,4] but the spec needs [4, 8]',
      );
      expectFileError(
        resealed(text, (j) => (j.weights.b1.shape = 8)),
        'weights "b1" have shape 8 but the spec needs [8]',
      );
    });

    it('weights of the wrong size', () => {
      const short = (j: Record<string, any>) => {
        j.weights.W1.data = Buffer.from(j.weights.W1.data as string, 'base64')
          .subarray(0, 124)
          .toString('base64');
      };
      expectFileError(resealed(text, short), 'weights "W1" hold 124 bytes but [4, 8] float32 needs 128');
      const long = (j: Record<string, any>) => {
        j.weights.b2.data = Buffer.concat([Buffer.from(j.weights.b2.data as string, 'base64'), Buffer.alloc(4)]).toString('base64');
      };
      expectFileError(resealed(text, long), 'weights "b2" hold 16 bytes but [3] float32 needs 12');
      expectFileError(
        resealed(text, (j) => (j.dtype = 'float64')),
        'weights "W1" hold 128 bytes but [4, 8] float64 needs 256',
      );
    });

    it('weights that are not base64', () => {
      expectFileError(
        resealed(text, (j) => (j.weights.W2.data = 'not base64!')),
        'weights "W2" hold no valid base64 but [8, 3] float32 needs 96',
      );
      expectFileError(
        resealed(text, (j) => (j.weights.W2.data = [1, 2, 3])),
        'weights "W2" hold no valid base64 but [8, 3] float32 needs 96',
      );
    });

    it('extra weights, naming the parameters the spec has', () => {
      expectFileError(
        resealed(text, (j) => (j.weights.W3 = j.weights.W2)),
        'has weights "W3" that its spec has no place for (the network\'s parameters: W1, b1, W2, b2)',
      );
      // Names that every object inherits are not parameters either.
      for (const name of ['toString', 'constructor', '__proto__']) {
        const extra = resealed(text, (j) => Object.defineProperty(j.weights, name, { value: j.weights.b2, enumerable: true }));
        expect(extra).toContain(`"${name}": {`);
        expectFileError(extra, `has weights "${name}" that its spec has no place for (the network's parameters: W1, b1, W2, b2)`);
      }
    });

    it('missing weights', () => {
      expectFileError(
        resealed(text, (j) => delete j.weights.b2),
        'has no weights for "b2", which its spec needs',
      );
      expectFileError(
        resealed(text, (j) => (j.weights = [])),
        '"weights" must be an object of named tensors',
      );
    });
  });

  it('reads a file without a training summary as an empty one', () => {
    expect(
      parseModel(
        resealed(text, (j) => delete j.training),
        { registry: testRegistry() },
      ).training,
    ).toEqual({});
  });
});

describe('model file layout', () => {
  it('is indented JSON with arrays of plain values on one line, holding the same values as plain JSON', () => {
    const contents = trainedContents();
    const text = serializeModel(contents);
    const json = JSON.parse(text) as Record<string, unknown>;
    // Re-indenting with JSON.stringify gives the same values; only the layout differs.
    expect(JSON.parse(JSON.stringify(json, null, 2))).toEqual(json);
    expect(text).toContain('"inputShape": [4],');
    expect(text).toMatch(/\n {2}"spec": \{\n {4}"layers": \[\n {6}\{\n {8}"type": "affine",/);
    expect(text.endsWith('}\n')).toBe(true);
  });
});
