import { ShapeError, tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { MinMaxScaler } from './min-max-scaler.js';
import { ScalerError } from './scaler.js';

// Expected values computed once with NumPy: (X - X.min(0)) / (X.max(0) - X.min(0)).
const X = [
  [0.5, -2, 100],
  [1.5, 4, 300],
  [-0.5, 1, 200],
  [2.5, 0, 100],
];
const SCALED = [
  [0.3333333333333333, 0, 0],
  [0.6666666666666666, 1, 1],
  [0, 0.5, 0.5],
  [1, 0.3333333333333333, 0],
];

describe('MinMaxScaler', () => {
  it('maps each feature of the fitted rows onto [0, 1], as NumPy computes it', () => {
    const s = new MinMaxScaler().fit(tensor(X));
    expect(Array.from(s.min!)).toEqual([-0.5, -2, 100]);
    expect(Array.from(s.max!)).toEqual([2.5, 4, 300]);
    const y = s.transform(tensor(X));
    expect(y.dtype).toBe('float64');
    expect(y.toArray()).toEqual(SCALED);
  });

  it('keeps float32 data in float32', () => {
    const y = new MinMaxScaler().fit(tensor(X, 'float32')).transform(tensor(X, 'float32'));
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.data)).toEqual(SCALED.flat().map(Math.fround));
  });

  it('fits on the listed rows only and scales other rows with those numbers, outside [0, 1] if need be', () => {
    const s = new MinMaxScaler().fit(tensor(X), Int32Array.from([0, 2]));
    expect(Array.from(s.min!)).toEqual([-0.5, -2, 100]);
    expect(Array.from(s.max!)).toEqual([0.5, 1, 200]);
    // Row 1, [1.5, 4, 300], was not fitted: (1.5 + 0.5) / 1 = 2, (4 + 2) / 3 = 2, (300 − 100) / 100 = 2.
    expect(s.transform(tensor([X[1]!])).toArray()).toEqual([[2, 2, 2]]);
  });

  it('maps a constant feature to 0, also for values the fitted rows never had', () => {
    const s = new MinMaxScaler().fit(
      tensor([
        [0, 1],
        [0, 3],
      ]),
    );
    expect(
      s
        .transform(
          tensor([
            [0, 2],
            [255, 2],
            [-4, 2],
          ]),
        )
        .toArray(),
    ).toEqual([
      [0, 0.5],
      [0, 0.5],
      [0, 0.5],
    ]);
  });

  it('transforms in place when out is x', () => {
    const x = tensor(X);
    const s = new MinMaxScaler().fit(x);
    expect(s.transform(x, x)).toBe(x);
    expect(x.toArray()).toEqual(SCALED);
  });

  it('round-trips through toJSON and the constructor', () => {
    const s = new MinMaxScaler().fit(tensor(X));
    expect(s.toJSON()).toEqual({ type: 'minmax', min: [-0.5, -2, 100], max: [2.5, 4, 300] });
    const t = new MinMaxScaler(s.toJSON() as { min: number[]; max: number[] });
    expect(t.transform(tensor(X)).toArray()).toEqual(SCALED);
  });

  it('says what to do when used unfitted, on the wrong shape, or with bad rows', () => {
    expect(() => new MinMaxScaler().transform(tensor(X))).toThrow(ScalerError);
    expect(() => new MinMaxScaler().toJSON()).toThrow(/not fitted; call fit\(xTrain\) first/);
    const s = new MinMaxScaler().fit(tensor(X));
    expect(() => s.transform(tensor([[1, 2]]))).toThrow(/fitted on 3 features but x has 2/);
    expect(() => s.transform(tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => s.transform(tensor(X), tensor([[1, 2, 3]]))).toThrow(/out must have x's shape \[4, 3\]/);
    expect(() => new MinMaxScaler().fit(tensor(X), [4])).toThrow(/rows\[0\] is 4, not a row index of x \(0..3\)/);
    expect(() => new MinMaxScaler().fit(tensor(X), [])).toThrow(/rows is empty/);
    expect(() => new MinMaxScaler({ min: [0], max: [1, 2] })).toThrow(/min has 1 features but max has 2/);
  });
});
