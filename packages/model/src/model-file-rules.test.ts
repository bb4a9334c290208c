import { builtinLayers } from '@dlfs/layers';
import { Rng } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { crc32 } from './encoding.js';
import { type ModelContents, ModelFileError, parseModel, serializeModel } from './model-file.js';
import { Network } from './network.js';
import { defaultSpec, type NetworkSpec } from './spec.js';
import { passRegistry } from './test-support/index.js';

/** A 4-6-3 classifier, untrained, with everything a model file records; `change` edits the contents. */
function contents(change: (c: ModelContents) => void = () => {}): ModelContents {
  const network = Network.build(defaultSpec(3, 6), { registry: builtinLayers(), inputShape: [4], rng: new Rng(1), classes: 3 });
  const c: ModelContents = {
    network,
    classes: ['a', 'b', 7],
    preprocessing: { scaler: { type: 'minmax', min: [0, 0, 0, 0], max: [1, 2, 3, 4] }, label: 'y', featureNames: ['f1', 'f2', 'f3', 'f4'] },
    training: { iterations: 3, history: [{ epoch: 1, loss: 1.1 }], note: null },
  };
  change(c);
  return c;
}

/** What serializeModel throws for the contents, checked to be `type`. */
function writeError(c: ModelContents, type: typeof TypeError | typeof RangeError): string {
  try {
    serializeModel(c);
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return (err as Error).message;
  }
  throw new Error('serializeModel accepted the contents');
}

/** The file of `c` with its body edited as `edit` says, the checksum made right again. */
function edited(c: ModelContents, edit: (json: Record<string, any>) => void): string {
  const { checksum: _old, ...body } = JSON.parse(serializeModel(c)) as Record<string, any>;
  edit(body);
  return JSON.stringify({ ...body, checksum: crc32(JSON.stringify(body)) });
}

function readError(text: string): string {
  try {
    parseModel(text, { registry: passRegistry(), source: 'model.json' });
  } catch (err) {
    expect(err).toBeInstanceOf(ModelFileError);
    return (err as Error).message;
  }
  throw new Error('parseModel accepted the file');
}

describe('one set of rules for writing and reading', () => {
  it('lets a plain summary, classes and preprocessing through, and the file loads as written', () => {
    const c = contents();
    const loaded = parseModel(serializeModel(c), { registry: builtinLayers() });
    expect(loaded.training).toEqual(c.training);
    expect(loaded.classes).toEqual(c.classes);
    expect(loaded.preprocessing).toEqual(c.preprocessing);
  });

  it('classes: one label per output for a classifying loss, each a string or a finite number', () => {
    const fewer = contents((c) => (c.classes = ['a', 'b']));
    expect(writeError(fewer, RangeError)).toBe(
      'serializeModel: "classes" has 2 labels but the network ends with 3 outputs per sample and its loss classifies: give one label per output',
    );
    expect(
      writeError(
        contents((c) => (c.classes = ['a', Number.NaN, 'c'])),
        TypeError,
      ),
    ).toBe('serializeModel: "classes[1]" must be a label value (a string or a finite number), got NaN');
    // Read back, a NaN label is JSON's null.
    expect(readError(edited(contents(), (j) => (j.classes[1] = null)))).toBe(
      'model.json: "classes[1]" must be a label value (a string or a finite number), got null',
    );
  });

  it('classes of a regression loss may be of any number', () => {
    const spec: NetworkSpec = { layers: [{ type: 'affine', units: 1 }], loss: 'identity-with-loss' };
    const network = Network.build(spec, { registry: builtinLayers(), inputShape: [4], rng: new Rng(2) });
    const text = serializeModel({ ...contents(), network, classes: [] });
    expect(parseModel(text, { registry: builtinLayers() }).classes).toEqual([]);
  });

  it('the scaler: one scalerFromJSON reads, fitted on as many features as the network takes', () => {
    expect(
      writeError(
        contents((c) => (c.preprocessing.scaler = { type: 'zscore' })),
        TypeError,
      ),
    ).toBe('serializeModel: "preprocessing.scaler" is not valid: a saved scaler\'s "type" must be one of "minmax", "255", "none", got "zscore"');
    const threeFeatures = { type: 'minmax', min: [0, 0, 0], max: [1, 1, 1] };
    const message = '"preprocessing.scaler" was fitted on 3 features but the network takes 4 per sample; fit the scaler on the rows the network is trained on';
    expect(
      writeError(
        contents((c) => (c.preprocessing.scaler = threeFeatures)),
        RangeError,
      ),
    ).toBe(`serializeModel: ${message}`);
    expect(readError(edited(contents(), (j) => (j.preprocessing.scaler = threeFeatures)))).toBe(`model.json: ${message}`);
  });

  it('the feature names: one string per input feature', () => {
    const message = '"preprocessing.featureNames" has 3 names but the network takes 4 features per sample: give one name per feature column';
    expect(
      writeError(
        contents((c) => c.preprocessing.featureNames.pop()),
        RangeError,
      ),
    ).toBe(`serializeModel: ${message}`);
    expect(readError(edited(contents(), (j) => j.preprocessing.featureNames.pop()))).toBe(`model.json: ${message}`);
    expect(
      writeError(
        contents((c) => (c.preprocessing.featureNames[2] = 3 as never)),
        TypeError,
      ),
    ).toBe('serializeModel: "preprocessing.featureNames[2]" must be a string, got 3');
    expect(
      writeError(
        contents((c) => (c.preprocessing.label = undefined as never)),
        TypeError,
      ),
    ).toBe('serializeModel: "preprocessing.label" must be the label column\'s name, or null for none, got nothing');
    expect(readError(edited(contents(), (j) => (j.preprocessing.extra = 1)))).toBe(
      'model.json: "preprocessing" has an unknown field "extra"; it holds "scaler", "label" and "featureNames"',
    );
  });

  it('the training summary: what JSON holds exactly, the field named by its path', () => {
    const cyclic: Record<string, unknown> = { a: { b: 1 } };
    (cyclic.a as Record<string, unknown>).c = cyclic;
    const cases: [unknown, typeof TypeError, string][] = [
      [
        { when: new Date(0) },
        TypeError,
        '"training.when" is a Date, not a plain object or array (JSON makes it a string; write date.toISOString() if you mean the text)',
      ],
      [{ run: { onEpoch: () => 1 } }, TypeError, '"training.run.onEpoch" is a function, which JSON cannot hold'],
      [{ lr: undefined }, TypeError, '"training.lr" is undefined, which JSON drops; leave it out or give null'],
      [{ losses: [1, undefined] }, TypeError, '"training.losses[1]" is undefined, which JSON writes as null; leave it out or give null'],
      [{ history: [{ loss: Number.NaN }] }, RangeError, '"training.history[0].loss" is NaN, which JSON writes as null; give a finite number, or null for none'],
      [{ 'best val': -Infinity }, RangeError, '"training["best val"]" is -Infinity, which JSON writes as null; give a finite number, or null for none'],
      [cyclic, TypeError, '"training.a.c" refers back to "training": a cycle, which JSON cannot hold'],
      [{ seen: new Set([1]) }, TypeError, '"training.seen" is a Set, not a plain object or array'],
      [{ big: 10n }, TypeError, '"training.big" is a bigint, which JSON cannot hold'],
      [[1, 2], TypeError, '"training" must be a plain object summarising the run, got [1,2]'],
    ];
    for (const [training, type, message] of cases) {
      expect(
        writeError(
          contents((c) => (c.training = training as never)),
          type,
        ),
        message,
      ).toBe(`serializeModel: ${message}`);
    }
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 150; i++) deep = deep.a = {};
    expect(
      writeError(
        contents((c) => (c.training = root)),
        RangeError,
      ),
    ).toMatch(/^serializeModel: "training(\.a){100}" is nested 100 levels deep; .* at most 100$/);
    expect(readError(edited(contents(), (j) => (j.training = root)))).toMatch(/^model\.json: "training(\.a){100}" is nested 100 levels deep/);
    expect(readError(edited(contents(), (j) => (j.training = 'fast')))).toBe('model.json: "training" must be a plain object summarising the run, got "fast"');
  });

  it('a Date in the summary no longer saves a file that then fails its checksum', () => {
    // The reviewer's case: JSON.stringify(new Date(0)) in the checksum differs from the ISO string a reload sees.
    expect(() => serializeModel(contents((c) => (c.training = { when: new Date(0) })))).toThrow(TypeError);
    expect(() => serializeModel(contents((c) => (c.training = { when: new Date(0).toISOString() })))).not.toThrow();
  });

  it('the weights and state: finite, the tensor and the first bad index named', () => {
    const c = contents();
    c.network.params.W2!.data[7] = Number.NaN;
    expect(writeError(c, RangeError)).toBe(
      'serializeModel: weights "W2" hold NaN at index 7 ([2, 1] of [6, 3]); a model holds finite numbers only: ' +
        'train again (with a smaller learning rate if the loss blew up) or restore the file from a copy',
    );
  });

  it('the spec: one parseSpec reads, in values JSON holds', () => {
    const spec = { ...defaultSpec(3, 6), optimizer: 'sgd' } as NetworkSpec;
    const network = Network.build(spec, { registry: builtinLayers(), inputShape: [4], rng: new Rng(1), classes: 3 });
    expect(writeError({ ...contents(), network }, TypeError)).toBe(
      'serializeModel: the network\'s spec would not load: spec: unknown key "optimizer"; a spec has "inputShape", "layers" and "loss"',
    );
    // A key left undefined is a key left out: JSON drops it and the spec means the same.
    const optional = { ...defaultSpec(3, 6), inputShape: undefined } as NetworkSpec;
    const same = Network.build(optional, { registry: builtinLayers(), inputShape: [4], rng: new Rng(1), classes: 3 });
    expect(parseModel(serializeModel({ ...contents(), network: same }), { registry: builtinLayers() }).network.spec).toEqual(defaultSpec(3, 6));
  });
});
