import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Rng } from '@dlfs/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnistSample } from './load-mnist-sample.js';
import { MNIST_PIXELS, MNIST_SAMPLE_CLASS_COUNTS, MNIST_SAMPLE_SIZE, type MnistSample } from './mnist-sample.js';

// Read straight from the package, independently of the loader.
function packageDigits(digit: number): number[] {
  const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  return (JSON.parse(readFileSync(join(root, 'src', 'digits', `${digit}.json`), 'utf8')) as { data: number[] }).data;
}

function row(sample: MnistSample, r: number): Float32Array {
  return sample.x.data.subarray(r * MNIST_PIXELS, (r + 1) * MNIST_PIXELS) as Float32Array;
}

let sample: MnistSample;

beforeAll(() => {
  sample = loadMnistSample();
});

describe('loadMnistSample', () => {
  it('holds the 10,000 digits of the mnist package as a float32 [10000, 784] tensor', () => {
    expect(MNIST_SAMPLE_SIZE).toBe(10000);
    expect(sample.x.dtype).toBe('float32');
    expect(sample.x.shape).toEqual([10000, 784]);
    expect(sample.labels).toBeInstanceOf(Int32Array);
    expect(sample.labels.length).toBe(10000);
    expect(sample.classes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('has the per-class counts of the package files', () => {
    const counts = new Array<number>(10).fill(0);
    for (const label of sample.labels) counts[label]!++;
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(MNIST_SAMPLE_CLASS_COUNTS).toEqual(counts);
  });

  it('keeps every pixel in [0, 1], with real ink in every digit', () => {
    let min = Infinity;
    let max = -Infinity;
    for (const v of sample.x.data) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    for (let r = 0; r < MNIST_SAMPLE_SIZE; r++) expect(row(sample, r).some((v) => v > 0.5)).toBe(true);
  });

  it('interleaves the classes: the first 100 rows hold every class', () => {
    expect(new Set(sample.labels.subarray(0, 100)).size).toBe(10);
  });

  it('puts the first digit of class 7 where the documented permutation says, with the package values', () => {
    const seven = packageDigits(7).slice(0, MNIST_PIXELS).map(Math.fround);
    // Classes 0..6 come first in the package order.
    const index = 1001 + 1127 + 991 + 1032 + 980 + 863 + 1014;
    const order = new Rng(0).permutation(MNIST_SAMPLE_SIZE);
    const at = order.indexOf(index);
    expect(sample.labels[at]).toBe(7);
    expect(Array.from(row(sample, at))).toEqual(seven);
    // The only row equal to it, found without the permutation.
    const matches: number[] = [];
    for (let r = 0; r < MNIST_SAMPLE_SIZE; r++) if (row(sample, r).every((v, k) => v === seven[k])) matches.push(r);
    expect(matches).toEqual([at]);
  });

  it('gives the same order for the same seed and another order for another seed', () => {
    const again = loadMnistSample({ seed: 0 });
    expect(again.labels).toEqual(sample.labels);
    // Byte comparison: toEqual over 7.84 million elements takes minutes.
    expect(Buffer.from(again.x.data.buffer).equals(Buffer.from(sample.x.data.buffer))).toBe(true);
    const other = loadMnistSample({ seed: 1 });
    let moved = 0;
    for (let r = 0; r < MNIST_SAMPLE_SIZE; r++) if (other.labels[r] !== sample.labels[r]) moved++;
    expect(moved).toBeGreaterThan(8000);
    // The same digits, only reordered: the pixel sums agree.
    const total = (s: MnistSample): number => {
      let t = 0;
      for (const v of s.x.data) t += v;
      return t;
    };
    expect(total(other)).toBeCloseTo(total(sample), 0);
  });

  it('rejects a seed the Rng cannot take', () => {
    expect(() => loadMnistSample({ seed: 0.5 })).toThrow(/seed must be a whole number/);
  });
});
