import { ShapeError, tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { checkMatrix, checkRows, outputFor } from './matrix-checks.js';

describe('matrix checks', () => {
  it('checkMatrix returns the row count of a [rows, features] matrix and refuses other shapes', () => {
    expect(checkMatrix('op', zeros([3, 2]))).toBe(3);
    expect(checkMatrix('op', zeros([0, 2]), 2)).toBe(0);
    expect(() => checkMatrix('op', zeros([3]))).toThrow(ShapeError);
    expect(() => checkMatrix('op', zeros([3, 2]), 4)).toThrow(/fitted on 4 features but x has 2/);
  });

  it('outputFor gives out when it fits, else a new zero tensor of x’s shape and dtype', () => {
    const x = tensor([[1, 2]], 'float32');
    const out = zeros([1, 2]);
    expect(outputFor('op', x, out)).toBe(out);
    const fresh = outputFor('op', x, undefined);
    expect([fresh.dtype, fresh.shape, Array.from(fresh.data)]).toEqual(['float32', [1, 2], [0, 0]]);
    expect(() => outputFor('op', x, zeros([2, 1]))).toThrow(/out must have x's shape \[1, 2\]/);
  });

  it('checkRows accepts row indices and refuses others', () => {
    expect(() => checkRows('op', [0, 2, 2], 3)).not.toThrow();
    expect(() => checkRows('op', [], 3)).toThrow(/rows is empty/);
    expect(() => checkRows('op', [0, 3], 3)).toThrow(/rows\[1\] is 3, not a row index of x \(0..2\)/);
  });
});
