import { tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { AddLayer } from './add-layer.js';
import { MulLayer } from './mul-layer.js';
import { expectTensorClose } from './test-support/expect-close.js';

describe('AddLayer', () => {
  // Figure 5-17 (5.4.2, apples and oranges): apple 100 × 2, orange 150 × 3, tax 1.1.
  it('reproduces the apples-and-oranges graph forward and backward', () => {
    const mulAppleLayer = new MulLayer();
    const mulOrangeLayer = new MulLayer();
    const addAppleOrangeLayer = new AddLayer();
    const mulTaxLayer = new MulLayer();

    const applePrice = mulAppleLayer.forward(100, 2);
    const orangePrice = mulOrangeLayer.forward(150, 3);
    const allPrice = addAppleOrangeLayer.forward(applePrice, orangePrice);
    const price = mulTaxLayer.forward(allPrice, 1.1);
    expect(price).toBeCloseTo(715, 10);

    const [dAllPrice, dTax] = mulTaxLayer.backward(1);
    const [dApplePrice, dOrangePrice] = addAppleOrangeLayer.backward(dAllPrice);
    const [dOrange, dOrangeNum] = mulOrangeLayer.backward(dOrangePrice);
    const [dApple, dAppleNum] = mulAppleLayer.backward(dApplePrice);
    expect(dAppleNum).toBeCloseTo(110, 10);
    expect(dApple).toBeCloseTo(2.2, 10);
    expect(dOrange).toBeCloseTo(3.3, 10);
    expect(dOrangeNum).toBeCloseTo(165, 10);
    expect(dTax).toBeCloseTo(650, 10);
  });

  it('adds tensors element-wise and passes dout through as two copies', () => {
    const layer = new AddLayer();
    // By hand: [1 + 10, 2 + 20, 3 − 3].
    expectTensorClose(layer.forward(tensor([1, 2, 3]), tensor([10, 20, -3])), [3], [11, 22, 0]);
    const dout = tensor([0.5, -1, 2]);
    const [dx, dy] = layer.backward(dout);
    expectTensorClose(dx, [3], [0.5, -1, 2]);
    expectTensorClose(dy, [3], [0.5, -1, 2]);
    expect(dx.data).not.toBe(dout.data);
    expect(dy.data).not.toBe(dx.data);
  });

  it('refuses different shapes and a dout of the wrong shape', () => {
    const layer = new AddLayer();
    expect(() => layer.forward(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(/\[2\].*\[3\]/);
    layer.forward(tensor([1, 2]), tensor([3, 4]));
    expect(() => layer.backward(tensor([1, 2, 3]))).toThrow(/\[3\].*\[2\]/);
  });

  it('refuses a number mixed with a tensor', () => {
    // @ts-expect-error: the overloads accept two numbers or two tensors only
    expect(() => new AddLayer().forward(tensor([1]), 2)).toThrow(TypeError);
  });
});
