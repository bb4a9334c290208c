import { ShapeError, Tensor, tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { checkLabels, type Labels, subLabels } from './labels.js';

describe('checkLabels', () => {
  it('recognises one-hot labels shaped like the scores', () => {
    const y = zeros([2, 3]);
    const t = tensor([
      [0, 1, 0],
      [1, 0, 0],
    ]);
    expect(checkLabels('op', y, t)).toEqual({ kind: 'one-hot', rows: 2, classes: 3, t });
  });

  it('recognises class indices as an Int32Array or a number[]', () => {
    const y = zeros([3, 4]);
    const ints = Int32Array.from([0, 3, 2]);
    expect(checkLabels('op', y, ints)).toEqual({ kind: 'index', rows: 3, classes: 4, t: ints });
    expect(checkLabels('op', y, [1, 1, 0])).toMatchObject({ kind: 'index', rows: 3, classes: 4 });
  });

  it('treats a 1-D score vector as one row', () => {
    const y = zeros([10]);
    expect(checkLabels('op', y, [7])).toMatchObject({ kind: 'index', rows: 1, classes: 10 });
    expect(checkLabels('op', y, zeros([10]))).toMatchObject({ kind: 'one-hot', rows: 1, classes: 10 });
  });

  it('flattens leading axes into rows', () => {
    expect(checkLabels('op', zeros([2, 3, 4]), [0, 1, 2, 3, 0, 1])).toMatchObject({ rows: 6, classes: 4 });
  });

  it('refuses one-hot labels of another shape, naming both shapes', () => {
    const err = catchError(() => checkLabels('crossEntropyError', zeros([2, 10]), zeros([2, 9])));
    expect(err).toBeInstanceOf(ShapeError);
    expect(err.message).toMatch(/^crossEntropyError: /);
    expect(err.message).toContain('[2, 9]');
    expect(err.message).toContain('[2, 10]');
    expect((err as ShapeError).shapes).toEqual([
      [2, 10],
      [2, 9],
    ]);
  });

  it('says where class indices go when they arrive as a Tensor', () => {
    expect(() => checkLabels('op', zeros([3, 10]), tensor([1, 2, 3]))).toThrow(/Int32Array or a number\[\], not a Tensor/);
  });

  it('refuses a count of class indices other than the batch size', () => {
    const err = catchError(() => checkLabels('op', zeros([4, 10]), [1, 2, 3]));
    expect(err).toBeInstanceOf(ShapeError);
    expect(err.message).toContain('3 class indices for 4 rows of scores [4, 10]');
  });

  it('hints that one-hot labels must be a Tensor when a one-hot number[] is given', () => {
    expect(() => checkLabels('op', zeros([10]), [0, 0, 1, 0, 0, 0, 0, 0, 0, 0])).toThrow(/one-hot labels must be a Tensor/);
  });

  it('refuses a class index outside 0..classes-1, naming the row and the value', () => {
    const labels = [0, 1, 2, 12, 4];
    const err = catchError(() => checkLabels('crossEntropyError', zeros([5, 10]), labels));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toBe('crossEntropyError: label 12 at row 3 is outside 0..9');
    expect(() => checkLabels('op', zeros([2, 10]), [0, -1])).toThrow('label -1 at row 1 is outside 0..9');
    expect(() => checkLabels('op', zeros([2, 10]), [10, 0])).toThrow('label 10 at row 0 is outside 0..9');
  });

  it('refuses class indices that are not whole numbers', () => {
    expect(() => checkLabels('op', zeros([2, 3]), [0, 1.5])).toThrow(RangeError);
    expect(() => checkLabels('op', zeros([2, 3]), [Number.NaN, 0])).toThrow('label NaN at row 0 is outside 0..2');
  });

  it('refuses scalar or empty scores', () => {
    expect(() => checkLabels('op', new Tensor([5], []), [0])).toThrow(ShapeError);
    expect(() => checkLabels('op', zeros([0, 10]), [])).toThrow(/empty/);
    expect(() => checkLabels('op', zeros([3, 0]), [0, 0, 0])).toThrow(/empty/);
  });

  it('refuses labels of another kind with a TypeError', () => {
    expect(() => checkLabels('op', zeros([2, 3]), new Float64Array([0, 1]) as unknown as Labels)).toThrow(TypeError);
    expect(() => checkLabels('op', zeros([2, 3]), undefined as unknown as Labels)).toThrow(/one-hot Tensor, an Int32Array or an array/);
  });
});

describe('subLabels', () => {
  const y = tensor([
    [0.2, 0.3, 0.5],
    [0.6, 0.1, 0.3],
  ]);

  it('gives y − t for one-hot labels and the same for class indices', () => {
    const oneHot = tensor([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    const fromOneHot = subLabels(y, checkLabels('op', y, oneHot));
    const fromIndex = subLabels(y, checkLabels('op', y, [2, 0]));
    expect(fromOneHot.toArray()).toEqual([
      [0.2, 0.3, 0.5 - 1],
      [0.6 - 1, 0.1, 0.3],
    ]);
    expect(fromIndex.toArray()).toEqual(fromOneHot.toArray());
  });

  it('leaves y alone and keeps its dtype', () => {
    const y32 = y.astype('float32');
    const d = subLabels(y32, checkLabels('op', y32, [0, 1]));
    expect(d.dtype).toBe('float32');
    expect(y32.data[0]).toBeCloseTo(0.2, 6);
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}
