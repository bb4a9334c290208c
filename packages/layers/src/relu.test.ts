import { checkLayer } from '@dlfs/gradcheck';
import { Rng, tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Relu, relu } from './relu.js';
import { expectTensorClose } from './test-support/expect-close.js';
import { expectShapesAsCreated } from './test-support/expect-shapes.js';

describe('relu', () => {
  const x = tensor([
    [1, -0.5, 0],
    [-2, 3, 0.25],
  ]);

  it('forward zeroes the entries <= 0', () => {
    // By hand: max(0, x).
    expectTensorClose(new Relu([3]).forward(x), [2, 3], [1, 0, 0, 0, 3, 0.25]);
  });

  it('backward passes dout where x > 0 and 0 elsewhere, including at x = 0', () => {
    const layer = new Relu([3]);
    layer.forward(x);
    const dout = tensor([
      [0.1, 0.2, 0.3],
      [0.4, 0.5, 0.6],
    ]);
    // By hand: the mask of x > 0 is [[1, 0, 0], [0, 1, 1]].
    expectTensorClose(layer.backward(dout), [2, 3], [0.1, 0, 0, 0, 0.5, 0.6]);
  });

  it('backward leaves dout unchanged and returns a new tensor', () => {
    const layer = new Relu([3]);
    layer.forward(x);
    const dout = tensor([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    const before = Array.from(dout.data);
    const dx = layer.backward(dout);
    expect(Array.from(dout.data)).toEqual(before);
    expect(dx).not.toBe(dout);
    expect(dx.data).not.toBe(dout.data);
  });

  it('keeps the dtype of the input and of dout', () => {
    const layer = new Relu([2]);
    const y = layer.forward(tensor([[-1, 2]], 'float32'));
    expect(y.dtype).toBe('float32');
    expect(layer.backward(tensor([[1, 1]], 'float32')).dtype).toBe('float32');
  });

  it('refuses a dout whose shape differs from the input, naming both shapes', () => {
    const layer = new Relu([3]);
    layer.forward(x);
    expect(() => layer.backward(tensor([[1, 2, 3]]))).toThrow(/\[1, 3\].*\[2, 3\]/);
  });

  it('reports the branch of every element as its kink signature', () => {
    const layer = new Relu([3]);
    expect(Array.from(layer.kinkSignature())).toEqual([]);
    layer.forward(x);
    expect(Array.from(layer.kinkSignature())).toEqual([0, 1, 1, 1, 0, 0]);
  });

  it('throws when backward comes before forward', () => {
    expect(() => new Relu([1]).backward(tensor([[1]]))).toThrow(/before forward/);
  });

  it('is created from its def with no params and the input shape as output shape', () => {
    const layer = relu.create(relu.validate!({}), { rng: new Rng(0), inputShape: [1, 2, 2] });
    expect(layer.outputShape).toEqual([1, 2, 2]);
    expect(layer.params).toEqual({});
    expect(layer.grads).toEqual({});
  });

  it('validate accepts {} and nothing, and names unknown keys', () => {
    expect(relu.validate!({})).toEqual({});
    expect(relu.validate!(undefined)).toEqual({});
    expect(() => relu.validate!({ alpha: 0.1 })).toThrow('relu: unknown config key "alpha"; this layer takes no config');
    expect(() => relu.validate!(3)).toThrow(/relu: config must be an object/);
  });

  it('shapes gives the shapes create makes: the input shape, no params', () => {
    for (const inputShape of [[5], [1, 2, 3], [1]]) expectShapesAsCreated(relu, {}, inputShape);
  });

  it('passes the conformance kit', () => {
    const report = checkLayer(relu, {}, { inputShape: [5], seed: 1 });
    expect(report.ok, report.summary).toBe(true);
  });

  it('passes the conformance kit on an N-D sample shape', () => {
    const report = checkLayer(relu, {}, { inputShape: [1, 2, 3], seed: 2 });
    expect(report.ok, report.summary).toBe(true);
  });
});
