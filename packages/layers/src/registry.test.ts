import { Rng, type Tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { affine } from './affine.js';
import { LayerConfigError } from './layer-config.js';
import type { CreateContext, Layer, LayerDef } from './layer.js';
import { DuplicateLayerError, LayerCreateError, LayerRegistry, UnknownLayerError } from './registry.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';

const ctx = (): CreateContext => ({ rng: new Rng(0), inputShape: [4] });

/** A layer that does nothing, for defs made up in these tests. */
function identityLayer(outputShape: readonly number[]): Layer {
  const empty: Readonly<Record<string, Tensor>> = {};
  return { forward: (x) => x, backward: (d) => d, params: empty, grads: empty, outputShape };
}

describe('LayerRegistry', () => {
  it('holds the defs of the list it was built from', () => {
    const registry = new LayerRegistry([sigmoid, affine, relu]);
    expect(registry.types()).toEqual(['affine', 'relu', 'sigmoid']);
    expect(registry.defs()).toEqual([affine, relu, sigmoid]);
    expect(registry.get('relu')).toBe(relu);
    expect(registry.has('affine')).toBe(true);
    expect(registry.has('softmax')).toBe(false);
    expect(new LayerRegistry().types()).toEqual([]);
  });

  it('throws DuplicateLayerError naming a type registered twice', () => {
    const registry = new LayerRegistry([relu]);
    expect(() => registry.register(relu)).toThrow(DuplicateLayerError);
    expect(() => registry.register({ ...sigmoid, type: 'relu' })).toThrow(/"relu" is already registered/);
    expect(() => new LayerRegistry([affine, relu, affine])).toThrow(/"affine" is already registered/);
    expect(registry.get('relu')).toBe(relu);
  });

  it('throws UnknownLayerError listing the known types for an unknown type', () => {
    const registry = new LayerRegistry([affine, relu, sigmoid]);
    expect(() => registry.get('relux')).toThrow(UnknownLayerError);
    expect(() => registry.get('relux')).toThrow('unknown layer type "relux"; known types: affine, relu, sigmoid');
    try {
      registry.get('relux');
    } catch (err) {
      expect(err).toBeInstanceOf(UnknownLayerError);
      expect((err as UnknownLayerError).type).toBe('relux');
      expect((err as UnknownLayerError).knownTypes).toEqual(['affine', 'relu', 'sigmoid']);
    }
    expect(() => new LayerRegistry().get('relu')).toThrow('unknown layer type "relu"; known types: (none registered)');
  });

  it('never shares state between registries', () => {
    const a = new LayerRegistry([relu]);
    const b = new LayerRegistry([relu]);
    a.register(sigmoid);
    expect(a.types()).toEqual(['relu', 'sigmoid']);
    expect(b.types()).toEqual(['relu']);
    b.register(sigmoid);
    expect(a.types()).toEqual(['relu', 'sigmoid']);
  });

  it('hands out copies from types() and defs()', () => {
    const registry = new LayerRegistry([relu]);
    registry.types().push('fake');
    registry.defs().push(sigmoid);
    expect(registry.types()).toEqual(['relu']);
  });

  it('register returns the registry and refuses things that are not defs', () => {
    const registry = new LayerRegistry();
    expect(registry.register(relu)).toBe(registry);
    expect(() => registry.register({ type: '', create: () => identityLayer([]) })).toThrow(/non-empty string "type"/);
    expect(() => registry.register({ type: 'x' } as unknown as LayerDef)).toThrow(/"x" has no create/);
  });

  it("create passes the spec minus type to validate, and validate's result to create", () => {
    const seen: unknown[] = [];
    const scale: LayerDef<{ factor: number }> = {
      type: 'scale',
      validate(config) {
        seen.push(config);
        return { factor: Number((config as { factor: unknown }).factor) };
      },
      create(config, context) {
        seen.push(config, context.inputShape);
        return identityLayer(context.inputShape);
      },
    };
    const layer = new LayerRegistry([scale]).create({ type: 'scale', factor: '2' }, ctx());
    expect(layer.outputShape).toEqual([4]);
    expect(seen).toEqual([{ factor: '2' }, { factor: 2 }, [4]]);
  });

  it('create passes the config as it is to a def without validate', () => {
    let got: unknown;
    const plain: LayerDef = {
      type: 'plain',
      create(config) {
        got = config;
        return identityLayer([]);
      },
    };
    new LayerRegistry([plain]).create({ type: 'plain', a: 1 }, ctx());
    expect(got).toEqual({ a: 1 });
  });

  it('create builds the built-ins from spec entries', () => {
    const registry = new LayerRegistry([affine, relu, sigmoid]);
    const layer = registry.create({ type: 'affine', units: 5 }, ctx());
    expect(layer.outputShape).toEqual([5]);
    expect(layer.params.W?.shape).toEqual([4, 5]);
    expect(registry.create({ type: 'relu' }, ctx()).outputShape).toEqual([4]);
  });

  it('create wraps validate errors in a LayerCreateError naming the type and the spec', () => {
    const registry = new LayerRegistry([affine, relu]);
    const spec = { type: 'affine', units: '50x' };
    let caught: unknown;
    try {
      registry.create(spec, ctx());
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LayerCreateError);
    const err = caught as LayerCreateError;
    expect(err.message).toBe('cannot create layer "affine" from spec {"type":"affine","units":"50x"}: affine: "units" must be a whole number >= 1, got "50x"');
    expect(err.type).toBe('affine');
    expect(err.spec).toBe(spec);
    expect(err.cause).toBeInstanceOf(LayerConfigError);
    expect(() => registry.create({ type: 'relu', alpha: 1 }, ctx())).toThrow(/layer "relu" .*unknown config key "alpha"/);
  });

  it('create wraps errors thrown by create too', () => {
    const broken: LayerDef = {
      type: 'broken',
      create() {
        throw new RangeError('needs a 2-D input');
      },
    };
    expect(() => new LayerRegistry([broken]).create({ type: 'broken' }, ctx())).toThrow(
      'cannot create layer "broken" from spec {"type":"broken"}: needs a 2-D input',
    );
  });

  it('create throws UnknownLayerError for an unknown type and TypeError for a spec without type', () => {
    const registry = new LayerRegistry([relu]);
    expect(() => registry.create({ type: 'relux' }, ctx())).toThrow(UnknownLayerError);
    expect(() => registry.create({ units: 3 } as unknown as { type: string }, ctx())).toThrow(/must be an object with a string "type", got \{"units":3\}/);
    expect(() => registry.create(null as unknown as { type: string }, ctx())).toThrow(TypeError);
  });
});
