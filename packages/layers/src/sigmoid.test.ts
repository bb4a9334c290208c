import { checkLayer } from '@dlfs/gradcheck';
import { Rng, tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Sigmoid, sigmoid } from './sigmoid.js';
import { expectTensorClose } from './test-support/expect-close.js';
import { expectShapesAsCreated } from './test-support/expect-shapes.js';

describe('sigmoid', () => {
  // Computed with python3/numpy: y = 1 / (1 + np.exp(-x)) for x = [[0, 1, -2]].
  const yExpected = [0.5, 0.7310585786300049, 0.11920292202211755];

  it('forward computes 1 / (1 + exp(-x))', () => {
    expectTensorClose(new Sigmoid([3]).forward(tensor([[0, 1, -2]])), [1, 3], yExpected);
  });

  it('backward computes dout · (1 − y) · y from the stored output', () => {
    const layer = new Sigmoid([3]);
    layer.forward(tensor([[0, 1, -2]]));
    // Computed with python3/numpy: d * (1 - y) * y for d = [[1, 2, 3]] and y above.
    expectTensorClose(layer.backward(tensor([[1, 2, 3]])), [1, 3], [0.25, 0.3932238664829637, 0.3149807562105196]);
  });

  it('saturates to 0 and 1 without NaN', () => {
    const y = new Sigmoid([2]).forward(tensor([[-1000, 1000]]));
    expect(Array.from(y.data)).toEqual([0, 1]);
  });

  it('keeps the input dtype and leaves dout unchanged', () => {
    const layer = new Sigmoid([2]);
    expect(layer.forward(tensor([[0, 1]], 'float32')).dtype).toBe('float32');
    const dout = tensor([[1, 1]], 'float32');
    const dx = layer.backward(dout);
    expect(dx.dtype).toBe('float32');
    expect(Array.from(dout.data)).toEqual([1, 1]);
  });

  it('refuses a dout of the wrong shape, naming both shapes', () => {
    const layer = new Sigmoid([3]);
    layer.forward(tensor([[0, 1, -2]]));
    expect(() => layer.backward(tensor([[1, 2]]))).toThrow(/\[1, 2\].*\[1, 3\]/);
  });

  it('throws when backward comes before forward', () => {
    expect(() => new Sigmoid([1]).backward(tensor([[1]]))).toThrow(/before forward/);
  });

  it('is created from its def with no params and the input shape as output shape', () => {
    const layer = sigmoid.create({}, { rng: new Rng(0), inputShape: [4] });
    expect(layer.outputShape).toEqual([4]);
    expect(layer.params).toEqual({});
    expect(layer.grads).toEqual({});
  });

  it('validate names unknown keys', () => {
    expect(sigmoid.validate!({})).toEqual({});
    expect(() => sigmoid.validate!({ units: 3, beta: 1 })).toThrow('sigmoid: unknown config keys "units", "beta"; this layer takes no config');
  });

  it('shapes gives the shapes create makes: the input shape, no params', () => {
    for (const inputShape of [[5], [1, 2, 3], [1]]) expectShapesAsCreated(sigmoid, {}, inputShape);
  });

  it('passes the conformance kit', () => {
    const report = checkLayer(sigmoid, {}, { inputShape: [5], seed: 1 });
    expect(report.ok, report.summary).toBe(true);
  });
});
