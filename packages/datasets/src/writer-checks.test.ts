import { Tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { checkCount, sampleRows } from './writer-checks.js';

const sample = (x: Tensor, labels: number): { x: Tensor; labels: Int32Array; classes: number[] } => ({ x, labels: new Int32Array(labels), classes: [0, 1] });

describe('sampleRows', () => {
  it('counts the rows of a [rows, 784] sample', () => {
    expect(sampleRows('op', sample(zeros([3, 784], 'float32'), 3))).toBe(3);
  });

  it('names the shape and the fix when the sample is malformed', () => {
    expect(() => sampleRows('op', sample(zeros([3, 28, 28], 'float32'), 3))).toThrow(
      'op: sample.x must be [rows, 784], got [3, 28, 28]; pass what loadMnistSample() returns',
    );
    expect(() => sampleRows('op', sample(new Tensor(new Float32Array(784 * 2), [2, 784]), 3))).toThrow(
      'op: sample.labels has 3 entries for 2 rows of sample.x; give one label per row',
    );
  });
});

describe('checkCount', () => {
  it('accepts whole numbers in range and names the option otherwise', () => {
    expect(() => checkCount('op', 'rows', 5, 0, 5)).not.toThrow();
    expect(() => checkCount('op', 'rows', 6, 0, 5)).toThrow('op: rows must be a whole number in 0..5, got 6');
    expect(() => checkCount('op', 'rows', Number.NaN, 0, 5)).toThrow('got NaN');
  });
});
