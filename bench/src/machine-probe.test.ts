import { describe, expect, it } from 'vitest';
import { ParallelProbe, probeResult } from './machine-probe.js';

describe('the machine check (ParallelProbe)', () => {
  it('times two threads at once against one alone and gives a finite slowdown, then stops its threads', async () => {
    const probe = await ParallelProbe.start();
    try {
      const slowdowns = [await probe.measure(), await probe.measure()];
      // Two threads at once never finish much sooner than one alone, and never take more than
      // several times as long on a machine with a core to spare for each (timing only bounds it).
      for (const s of slowdowns) {
        expect(Number.isFinite(s)).toBe(true);
        expect(s).toBeGreaterThan(0.5);
        expect(s).toBeLessThan(20);
      }
    } finally {
      await probe.close();
    }
  });

  it('summarises its rounds, and has no summary without any', () => {
    expect(probeResult([1.2, 1.0, 1.1])).toEqual({ rounds: [1.2, 1.0, 1.1], summary: { median: 1.1, min: 1.0, max: 1.2, n: 3 } });
    expect(probeResult([])).toEqual({ rounds: [] });
  });
});
