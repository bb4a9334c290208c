import { exp, Rng, randn, ShapeError, Tensor, tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { logSoftmax } from './log-softmax.js';
import { softmax } from './softmax.js';
import { expectAllClose } from './test-support/close.js';
import { npLogY, npX } from './test-support/numpy-fixture.js';

describe('logSoftmax', () => {
  it('matches NumPy on a batch', () => {
    expectAllClose(logSoftmax(tensor(npX)).data, npLogY.flat(), 1e-15);
  });

  it('is the logarithm of softmax', () => {
    const x = randn([4, 6], new Rng(9));
    expectAllClose(exp(logSoftmax(x)).data, softmax(x).data, 1e-15);
  });

  it('stays finite where softmax underflows to 0', () => {
    const x = tensor([-1e6, 1e6, 0]);
    expect(softmax(x).data[0]).toBe(0);
    expect(Array.from(logSoftmax(x).data)).toEqual([-2e6, 0, -1e6]);
    // NumPy: z = a - a.max(); z - np.log(np.exp(z).sum()) for a = [1010., 1000., 990.]
    expectAllClose(logSoftmax(tensor([1010, 1000, 990])).data, [-4.5400960276988595e-5, -10.000045400960277, -20.00004540096028], 1e-15);
  });

  it('keeps the dtype and writes into out, which may be x itself', () => {
    const x32 = randn([2, 3], new Rng(10), { dtype: 'float32' });
    expect(logSoftmax(x32).dtype).toBe('float32');
    const x = tensor(npX);
    const out = zeros([3, 4]);
    expect(logSoftmax(x, out)).toBe(out);
    expect(logSoftmax(x, x)).toBe(x);
    expectAllClose(x.data, out.data, 0);
  });

  it('refuses an out of the wrong shape and a scalar input', () => {
    expect(() => logSoftmax(zeros([2, 3]), zeros([2, 2]))).toThrow(ShapeError);
    expect(() => logSoftmax(new Tensor([1], []))).toThrow(ShapeError);
  });
});
