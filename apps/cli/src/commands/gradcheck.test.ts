import { describe, expect, it } from 'vitest';
import { dlfs, tempDir } from '../test-support/run-dlfs.js';

describe('dlfs gradcheck', () => {
  it('checks the chapter-5 network on 3 bundled digits and reports every parameter', () => {
    const r = dlfs(['gradcheck', '--json'], tempDir());
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    expect(report.samples).toBe(3);
    expect(report.params.map((p: { name: string }) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
    for (const p of report.params) {
      expect(p.meanAbsDiff).toBeLessThan(1e-4);
      expect(p.maxRelError).toBeLessThanOrEqual(1e-5);
    }
  });
});
