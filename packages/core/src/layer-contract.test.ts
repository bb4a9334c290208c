import { Tensor, tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import type { Layer } from './layer.js';
import { LayerContractError, resolveLayer } from './layer-contract.js';

/** y = x · 2 as a plain object, the way a plugin written in JavaScript from the contract would. */
function doubler(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    params: {},
    grads: {},
    forward: (x: Tensor) =>
      new Tensor(
        x.data.map((v) => 2 * v),
        x.shape,
      ),
    backward: (d: Tensor) =>
      new Tensor(
        d.data.map((v) => 2 * v),
        d.shape,
      ),
    ...extra,
  };
}

function breach(layer: unknown, inputShape: number[] = [3]): LayerContractError {
  try {
    resolveLayer(layer, inputShape);
  } catch (err) {
    expect(err).toBeInstanceOf(LayerContractError);
    return err as LayerContractError;
  }
  throw new Error('resolveLayer accepted the layer');
}

describe('resolveLayer', () => {
  it('finds a missing outputShape by one forward pass of a zero sample, in evaluation mode', () => {
    const seen: unknown[] = [];
    const layer = doubler({
      forward: (x: Tensor, ctx: unknown) => {
        seen.push(x.shape, ctx);
        return zeros([x.shape[0]!, 2, 5]);
      },
    });
    const shaped = resolveLayer(layer, [1, 4, 4]);
    expect(shaped).toBe(layer);
    expect(shaped.outputShape).toEqual([2, 5]);
    expect(seen).toEqual([[1, 1, 4, 4], { train: false, updateState: false }]);
  });

  it('keeps a given outputShape without running forward, and wraps a frozen layer to give it one', () => {
    let calls = 0;
    const given = doubler({
      outputShape: [3],
      forward: () => {
        calls++;
        return zeros([1, 3]);
      },
    });
    expect(resolveLayer(given, [3]).outputShape).toEqual([3]);
    expect(calls).toBe(0);
    const frozen = Object.freeze(doubler());
    const shaped = resolveLayer(frozen, [3]);
    expect(shaped).not.toBe(frozen);
    expect(shaped.outputShape).toEqual([3]);
    expect(Array.from(shaped.forward(tensor([[1, 2, 3]])).data)).toEqual([2, 4, 6]);
  });

  it('names the member that breaks the contract and what to do', () => {
    expect(breach(null).message).toMatch(/^create\(\): must return a layer object/);
    expect(breach(doubler({ forward: undefined })).message).toBe('forward: must be a function (forward(x, ctx) returns y), got undefined');
    expect(breach(doubler({ backward: 'dx' })).member).toBe('backward');
    expect(breach(doubler({ params: undefined })).message).toMatch(/^params: must be an object of named Tensors/);
    expect(breach(doubler({ params: { W: [1, 2] }, grads: { W: [1, 2] } })).message).toMatch(/^params\.W: must be a Tensor from @dlfs\/tensor, got object/);
    expect(breach(doubler({ params: { W: zeros([2, 3]) }, grads: {} })).message).toBe('grads.W: is missing: grads needs a tensor for every key of params');
    expect(breach(doubler({ params: { W: zeros([2, 3]) }, grads: { W: zeros([3, 2]) } })).message).toMatch(
      /^grads\.W: has shape \[3, 2\] but params\.W has \[2, 3\]/,
    );
    expect(breach(doubler({ grads: { b: zeros([1]) } })).message).toMatch(/^grads\.b: has no param of that name/);
    expect(breach(doubler({ params: { W: zeros([1]) }, grads: { W: zeros([1]) }, state: { W: zeros([1]) } })).member).toBe('state.W');
    expect(breach(doubler({ outputShape: [0] })).message).toMatch(/^outputShape: must be a list of whole numbers >= 1/);
    expect(breach(doubler({ outputShape: '3' })).member).toBe('outputShape');
    expect(breach(doubler({ forward: () => 7 })).message).toMatch(/^outputShape: is not given, and forward of one sample \[1, 3\] returned number/);
  });

  it('takes a layer that keeps the contract as it is', () => {
    const W = zeros([3, 2]);
    const layer: Layer = { ...(doubler() as unknown as Layer), params: { W }, grads: { W: zeros([3, 2]) }, state: { mean: zeros([2]) }, outputShape: [2] };
    expect(resolveLayer(layer, [3])).toBe(layer);
  });
});
