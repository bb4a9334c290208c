import { Rng, type Tensor } from '@dlfs/tensor';
import { expect } from 'vitest';
import type { LayerDef } from '../layer.js';

/**
 * Expects def.shapes(config, inputShape) to give exactly what def.create makes: the output shape,
 * and every param and state tensor's shape under the same keys, in the same order (the order
 * the book's names W1, b1, … are counted in).
 */
export function expectShapesAsCreated<C>(def: LayerDef<C>, config: C, inputShape: readonly number[]): void {
  const planned = def.shapes!(config, inputShape);
  const layer = def.create(config, { rng: new Rng(0), inputShape, dtype: 'float32' });
  const made = (r: Readonly<Record<string, Tensor>> | undefined): [string, number[]][] => Object.entries(r ?? {}).map(([k, t]) => [k, [...t.shape]]);
  const said = (r: Readonly<Record<string, readonly number[]>> | undefined): [string, number[]][] => Object.entries(r ?? {}).map(([k, s]) => [k, [...s]]);
  const what = `${def.type} ${JSON.stringify(config)} on ${JSON.stringify(inputShape)}`;
  expect(planned.outputShape, what).toEqual(layer.outputShape);
  expect(said(planned.params), what).toEqual(made(layer.params));
  expect(said(planned.state), what).toEqual(made(layer.state));
}
