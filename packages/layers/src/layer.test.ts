import { mul, Rng, type Tensor, tensor } from '@dlfs/tensor';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { affine, type AffineConfig } from './affine.js';
import type { CreateContext, Layer, LayerDef, LayerSpec } from './layer.js';
import { LayerRegistry } from './registry.js';

/** A contributor's layer, written against the contract only: y = factor · x. */
type ScaleConfig = { factor: number };
const scale: LayerDef<ScaleConfig> = {
  type: 'scale',
  description: 'y = factor · x',
  configFields: { factor: 'the constant to multiply by' },
  validate(config) {
    const factor = (config as { factor?: unknown } | undefined)?.factor;
    if (typeof factor !== 'number') throw new TypeError(`scale: "factor" must be a number, got ${String(factor)}`);
    return { factor };
  },
  create({ factor }, ctx): Layer {
    const empty: Readonly<Record<string, Tensor>> = {};
    return {
      forward: (x) => mul(x, factor),
      // dy/dx = factor
      backward: (dout) => mul(dout, factor),
      params: empty,
      grads: empty,
      outputShape: ctx.inputShape,
    };
  },
};

describe('the layer contract', () => {
  it('lets a plugin def with its own config type join a registry beside the built-ins', () => {
    const registry = new LayerRegistry([affine, scale]);
    const spec: LayerSpec = { type: 'scale', factor: 3 };
    const layer = registry.create(spec, { rng: new Rng(0), inputShape: [2] });
    expect(layer.outputShape).toEqual([2]);
    // By hand: 3 · [1, -2] and 3 · [0.5, 1].
    expect(Array.from(layer.forward(tensor([[1, -2]])).data)).toEqual([3, -6]);
    expect(Array.from(layer.backward(tensor([[0.5, 1]])).data)).toEqual([1.5, 3]);
  });

  it('types a def by its config', () => {
    expectTypeOf(affine.create).parameter(0).toEqualTypeOf<AffineConfig>();
    expectTypeOf(scale.create).parameter(1).toEqualTypeOf<CreateContext>();
    expectTypeOf<LayerSpec>().toHaveProperty('type').toEqualTypeOf<string>();
    // A layer may leave outputShape out; a registry hands out the layer with it set.
    expectTypeOf<Layer['outputShape']>().toEqualTypeOf<readonly number[] | undefined>();
    expectTypeOf<ReturnType<LayerRegistry['create']>['outputShape']>().toEqualTypeOf<readonly number[]>();
  });
});
