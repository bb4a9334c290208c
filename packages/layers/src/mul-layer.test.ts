import { tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { MulLayer } from './mul-layer.js';
import { expectTensorClose } from './test-support/expect-close.js';

describe('MulLayer', () => {
  // Figure 5-16 (5.4.1, buying apples): apple 100, apple_num 2, tax 1.1.
  it('reproduces the buying-apples graph forward and backward', () => {
    const mulAppleLayer = new MulLayer();
    const mulTaxLayer = new MulLayer();

    const applePrice = mulAppleLayer.forward(100, 2);
    const price = mulTaxLayer.forward(applePrice, 1.1);
    expect(price).toBeCloseTo(220, 10);

    const [dApplePrice, dTax] = mulTaxLayer.backward(1);
    const [dApple, dAppleNum] = mulAppleLayer.backward(dApplePrice);
    expect(dApple).toBeCloseTo(2.2, 10);
    expect(dAppleNum).toBeCloseTo(110, 10);
    expect(dTax).toBeCloseTo(200, 10);
  });

  it('multiplies tensors element-wise and swaps the inputs in backward', () => {
    const layer = new MulLayer();
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const y = tensor([
      [5, -6],
      [0.5, 8],
    ]);
    // By hand: z = x · y element-wise; dx = dout · y, dy = dout · x.
    expectTensorClose(layer.forward(x, y), [2, 2], [5, -12, 1.5, 32]);
    const [dx, dy] = layer.backward(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    expectTensorClose(dx, [2, 2], [5, -12, 1.5, 32]);
    expectTensorClose(dy, [2, 2], [1, 4, 9, 16]);
  });

  it('refuses tensors of different shapes, naming both', () => {
    const layer = new MulLayer();
    expect(() => layer.forward(tensor([1, 2, 3]), tensor([[1, 2, 3]]))).toThrow(/\[3\].*\[1, 3\]/);
  });

  it('refuses a number mixed with a tensor', () => {
    const layer = new MulLayer();
    // @ts-expect-error: the overloads accept two numbers or two tensors only
    expect(() => layer.forward(2, tensor([1]))).toThrow(TypeError);
    layer.forward(2, 3);
    // @ts-expect-error: a dout must be a number or a tensor
    expect(() => layer.backward('1')).toThrow(TypeError);
    expect(() => layer.backward(tensor([1]))).toThrow(/number after a forward on numbers/);
  });

  it('checks dout against the forward shape', () => {
    const layer = new MulLayer();
    layer.forward(tensor([1, 2]), tensor([3, 4]));
    expect(() => layer.backward(tensor([1, 2, 3]))).toThrow(/\[3\].*\[2\]/);
  });

  it('throws when backward comes before forward', () => {
    expect(() => new MulLayer().backward(1)).toThrow(/before forward/);
  });
});
