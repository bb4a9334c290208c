import { describe, expect, it } from 'vitest';
import { matchesImpl } from './train.js';

describe('--impl matching', () => {
  it('takes a whole family, one row, or a prefix ending in a dash', () => {
    expect(matchesImpl('dlfs-wasm-f32', 'dlfs')).toBe(true);
    expect(matchesImpl('numpy-f64', 'numpy-f64')).toBe(true);
    expect(matchesImpl('numpy-f64-mt', 'numpy-f64')).toBe(true);
    expect(matchesImpl('tfjs-wasm', 'tfjs-w')).toBe(false);
    expect(matchesImpl('dlfs-js-f64', 'dlfs-js-')).toBe(true);
  });
  it("keeps the --baseline rows apart from this tree's: 'dlfs' takes none of them, 'baseline' all", () => {
    expect(matchesImpl('baseline-dlfs-wasm-f32', 'dlfs')).toBe(false);
    expect(matchesImpl('baseline-dlfs-wasm-f32', 'baseline')).toBe(true);
    expect(matchesImpl('baseline-dlfs-js-f32', 'baseline-dlfs-js')).toBe(true);
  });
});
