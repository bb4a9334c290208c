import { builtinLosses } from '@dlfs/losses';
import { describe, expect, it } from 'vitest';
import { defaultSpec, parseSpec, SpecError } from './spec.js';

/** The parse error of `json`, checked to be a SpecError. */
function specError(json: unknown, source?: string): SpecError {
  try {
    parseSpec(json, source);
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return err as SpecError;
  }
  throw new Error(`parseSpec accepted ${JSON.stringify(json)}`);
}

describe('parseSpec', () => {
  it("accepts the issue's example", () => {
    const text = '{"layers": [{"type": "affine", "units": 50}, {"type": "relu"}, {"type": "affine", "units": 10}], "loss": "softmax-with-loss"}';
    expect(parseSpec(JSON.parse(text))).toEqual({
      layers: [{ type: 'affine', units: 50 }, { type: 'relu' }, { type: 'affine', units: 10 }],
      loss: 'softmax-with-loss',
    });
  });

  it('gives the same spec as defaultSpec for the chapter-5 network', () => {
    expect(parseSpec(JSON.parse(JSON.stringify(defaultSpec(10))))).toEqual(defaultSpec(10));
    expect(defaultSpec(3, 7).layers).toEqual([{ type: 'affine', units: 7 }, { type: 'relu' }, { type: 'affine', units: 3 }]);
  });

  it('defaults the loss to softmax-with-loss and accepts every known loss', () => {
    expect(parseSpec({ layers: [{ type: 'affine', units: 2 }] }).loss).toBe('softmax-with-loss');
    for (const loss of builtinLosses().types()) expect(parseSpec({ layers: [{ type: 'relu' }], loss }).loss).toBe(loss);
  });

  it("keeps each layer's config for the layer's own validate", () => {
    const spec = parseSpec({ layers: [{ type: 'affine', units: 5, weightInitStd: 'he', extra: [1] }] });
    expect(spec.layers[0]).toEqual({ type: 'affine', units: 5, weightInitStd: 'he', extra: [1] });
  });

  it('does not share objects with the JSON it was given', () => {
    const json = { layers: [{ type: 'affine', units: 5 }] };
    const spec = parseSpec(json);
    expect(spec.layers).not.toBe(json.layers);
    expect(spec.layers[0]).not.toBe(json.layers[0]);
  });

  it.each([null, 3, 'affine', true, [], [{ type: 'relu' }], undefined])('refuses %j, which is not an object, showing an example', (json) => {
    const err = specError(json, 'net.json');
    expect(err.message).toMatch(/^net\.json: a spec must be a JSON object such as \{"layers": \[\{"type": "affine"/);
  });

  it('refuses unknown keys and names them', () => {
    expect(specError({ layers: [{ type: 'relu' }], optimizer: 'sgd' }, 'net.json').message).toBe(
      'net.json: unknown key "optimizer"; a spec has "inputShape", "layers" and "loss"',
    );
    expect(specError({ layer: [], lr: 0.1 }).message).toBe('spec: unknown keys "layer", "lr"; a spec has "inputShape", "layers" and "loss"');
  });

  it('quotes a huge value or key cut short, and names at most five unknown keys', () => {
    const shape = Array.from({ length: 100_000 }, (_, i) => i - 1);
    const long = specError({ inputShape: shape, layers: [{ type: 'relu' }] }).message;
    expect(long).toMatch(/^spec: inputShape: must be a non-empty list of whole numbers >= 1 such as \[1, 28, 28\] \(channels, height, width\), got /);
    expect(long.endsWith(`, got ${JSON.stringify(shape).slice(0, 60)}…`)).toBe(true);
    const keys = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`.repeat(i === 0 ? 40 : 1), i]));
    const many = specError({ layers: [{ type: 'relu' }], ...keys }).message;
    expect(many).toBe(`spec: unknown keys "${'k0'.repeat(29)}k…, "k1", "k2", "k3", "k4" and 995 more; a spec has "inputShape", "layers" and "loss"`);
    expect(specError({ layers: ['y'.repeat(10_000)] }).message).toBe(`spec: layers[0]: must be an object with a "type", got "${'y'.repeat(59)}…`);
    expect(specError({ layers: [{ type: 'relu' }], loss: ['z'.repeat(10_000)] }).message).toMatch(/, got \["z{58}…$/);
  });

  it.each([[{}], [{ layers: [] }], [{ layers: 'affine' }], [{ layers: { type: 'relu' } }]])('refuses %j: layers must be a non-empty array', (json) => {
    expect(specError(json, 'net.json').message).toMatch(/^net\.json: layers: must be a non-empty array of layers/);
  });

  it('refuses a layer that is not an object, naming its index', () => {
    expect(specError({ layers: [{ type: 'relu' }, 'relu'] }, 'net.json').message).toBe('net.json: layers[1]: must be an object with a "type", got "relu"');
    expect(specError({ layers: [null] }).message).toBe('spec: layers[0]: must be an object with a "type", got null');
    expect(specError({ layers: [[1]] }).message).toMatch(/^spec: layers\[0\]: /);
  });

  it('refuses a layer without a type, naming the JSON path', () => {
    expect(specError({ layers: [{ type: 'affine', units: 3 }, { units: 3 }] }, 'net.json').message).toBe(
      'net.json: layers[1].type: must be a layer type name such as "affine", got undefined',
    );
    expect(specError({ layers: [{ type: '' }] }).message).toBe('spec: layers[0].type: must be a layer type name such as "affine", got ""');
    expect(specError({ layers: [{ type: 7 }] }).message).toBe('spec: layers[0].type: must be a layer type name such as "affine", got 7');
  });

  it('refuses an unknown loss, listing the known ones', () => {
    expect(specError({ layers: [{ type: 'relu' }], loss: 'cross-entropy' }, 'net.json').message).toBe(
      'net.json: loss: must be one of identity-with-loss, softmax-with-loss, got "cross-entropy"',
    );
    expect(specError({ layers: [{ type: 'relu' }], loss: 3 }).message).toMatch(/^spec: loss: must be one of .* got 3$/);
  });

  it('names the source "spec" when none is given', () => {
    expect(specError(42).message).toMatch(/^spec: /);
    expect(specError(42).name).toBe('SpecError');
  });

  it('takes an inputShape, a list of whole numbers >= 1', () => {
    expect(parseSpec({ inputShape: [1, 28, 28], layers: [{ type: 'affine', units: 10 }] }).inputShape).toEqual([1, 28, 28]);
    expect(parseSpec({ layers: [{ type: 'relu' }] })).not.toHaveProperty('inputShape');
    for (const bad of [[], [0, 28], [1.5], 784, '1x28x28', [[28]]]) {
      expect(specError({ inputShape: bad, layers: [{ type: 'relu' }] }, 'net.json').message).toMatch(
        /^net\.json: inputShape: must be a non-empty list of whole numbers >= 1 such as \[1, 28, 28\]/,
      );
    }
  });

  it('resolves the loss through the registry it is given', () => {
    const losses = builtinLosses();
    losses.register({ type: 'hinge', create: () => losses.create('identity-with-loss') });
    expect(parseSpec({ layers: [{ type: 'relu' }], loss: 'hinge' }, 'net.json', { losses }).loss).toBe('hinge');
    expect(specError({ layers: [{ type: 'relu' }], loss: 'hinge' }).message).toMatch(/loss: must be one of identity-with-loss, softmax-with-loss, got "hinge"/);
  });
});
