import { checkGradients } from '@dlfs/gradcheck';
import { describe, expect, it } from 'vitest';
import { mnistBatch } from './mnist-sample.js';
import { twoLayerNet } from './two-layer-net.js';

// 5.7.3: the book's gradient check of a 784-50-10 net on 3 MNIST samples. Its notebook printed
// mean |backprop − numerical| of W1 1.8e-6, b1 2.4e-5, W2 6.2e-9, b2 1.4e-7.
describe('gradient check of the 784-50-10 network (5.7.3)', () => {
  it('matches backprop within 1e-4 mean absolute difference and 1e-5 relative error off the kinks', () => {
    const { x, t } = mnistBatch([
      [7, 0],
      [2, 0],
      [1, 0],
    ]);
    const report = checkGradients(twoLayerNet(x, t, { seed: 0 }));
    console.log(report.summary);
    expect(report.params.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
    for (const p of report.params) {
      expect(p.meanAbsDiff, p.name).toBeLessThanOrEqual(1e-4);
      expect(p.maxRelErrorSmooth, `${p.name}: ${report.summary}`).toBeLessThanOrEqual(1e-5);
    }
    expect(report.ok, report.summary).toBe(true);
  });

  it('detects the ReLU kinks a step of 1e-4 crosses, which carry most of the W1 and b1 error', () => {
    // Seed 17 puts some hidden units within h·x of zero for these samples, as in the book's run.
    const { x, t } = mnistBatch([
      [7, 0],
      [2, 0],
      [1, 0],
    ]);
    const report = checkGradients(twoLayerNet(x, t, { seed: 17 }));
    console.log(report.summary);
    for (const name of ['W1', 'b1']) {
      const p = report.params.find((r) => r.name === name)!;
      expect(p.kinks, name).toBeGreaterThan(0);
      // The kink entries are off by far more than the tolerance...
      expect(p.maxRelError, name).toBeGreaterThan(1e-3);
      // ...with them left out every entry agrees,
      expect(p.maxRelErrorSmooth, name).toBeLessThanOrEqual(1e-5);
      // and the mean absolute difference is still within the book's bound.
      expect(p.meanAbsDiff, name).toBeLessThanOrEqual(1e-4);
    }
    expect(report.ok, report.summary).toBe(true);
  });
});
