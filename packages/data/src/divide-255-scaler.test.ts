import { tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Divide255Scaler } from './divide-255-scaler.js';

describe('Divide255Scaler', () => {
  it('divides by 255 exactly as NumPy does in float32', () => {
    // np.array([0, 1, 51, 128, 200, 254, 255], dtype=np.float32) / np.float32(255)
    const numpy = [0, 0.003921568859368563, 0.20000000298023224, 0.501960813999176, 0.7843137383460999, 0.9960784316062927, 1];
    const x = tensor([[0, 1, 51, 128, 200, 254, 255]], 'float32');
    const y = new Divide255Scaler().fit(x).transform(x);
    expect(y).not.toBe(x);
    expect(Array.from(y.data)).toEqual(numpy);
    expect(Array.from(x.data)).toEqual([0, 1, 51, 128, 200, 254, 255]);
  });

  it('transforms in place and saves as {type: "255"}', () => {
    const x = tensor([[255, 0]], 'float32');
    const s = new Divide255Scaler();
    expect(s.transform(x, x)).toBe(x);
    expect(Array.from(x.data)).toEqual([1, 0]);
    expect(s.toJSON()).toEqual({ type: '255' });
    expect(() => s.transform(tensor([1, 2]))).toThrow(/\[rows, features\] matrix/);
  });
});
