import { checkLayer } from '@dlfs/gradcheck';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, activationHistograms, histogram, INITS } from './activations.js';
import { tanh } from './tanh-layer.js';

describe('activation histograms (6.2.2)', () => {
  it('keeps the spread with He and ReLU, and loses it with std 0.01', () => {
    const he = activationHistograms({ init: 'he', activation: 'relu' });
    const small = activationHistograms({ init: 'std001', activation: 'relu' });
    expect(he).toHaveLength(5);
    expect(he[4]!.std).toBeGreaterThan(0.3);
    expect(small[4]!.std).toBeLessThan(1e-4);
    // Every init and activation runs, and gives finite numbers.
    for (const i of INITS)
      for (const a of ACTIVATIONS) for (const l of activationHistograms({ init: i.key, activation: a.key })) expect(Number.isFinite(l.std)).toBe(true);
  });

  it('pushes sigmoid outputs with std 1 to 0 and 1, and gathers them at 0.5 with std 0.01', () => {
    const [first] = activationHistograms({ init: 'std1', activation: 'sigmoid', layers: 1 });
    const edges = first!.counts[0]! + first!.counts[29]!;
    expect(edges / first!.size).toBeGreaterThan(0.5);
    const flat = activationHistograms({ init: 'std001', activation: 'sigmoid' })[4]!;
    // Bins 12..17 hold 0.4..0.6.
    expect(flat.counts.slice(12, 18).reduce((a, b) => a + b, 0) / flat.size).toBeGreaterThan(0.99);
  });

  it('counts values into bins, below and above', () => {
    const h = histogram([0, 0.1, 0.5, 1, 2, -1], [0, 1], 10);
    expect(Array.from(h.counts)).toEqual([1, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect([h.below, h.above, h.zeros, h.size]).toEqual([1, 1, 1, 6]);
    expect(Array.from(histogram([0, 0.1, 0.5, 1, 2, -1], [0, 1], 10, true).counts)).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('has a tanh layer that passes the gradient check', () => {
    const report = checkLayer(tanh, {}, { inputShape: [6], seed: 1 });
    expect(report.ok, report.summary).toBe(true);
  });
});
