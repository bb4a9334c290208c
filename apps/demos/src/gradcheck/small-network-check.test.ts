import { describe, expect, it } from 'vitest';
import { reportLines } from './report-lines.js';
import { runSmallCheck, SMALL_CHECK_DEFAULTS } from './small-network-check.js';

describe('runSmallCheck', () => {
  it('finds backprop and the numerical gradient in agreement on the page’s default network', () => {
    const { report, gradients } = runSmallCheck(SMALL_CHECK_DEFAULTS);
    expect(report.ok, report.summary).toBe(true);
    expect(report.params.map((p) => [p.name, p.shape])).toEqual([
      ['W1', [6, 8]],
      ['b1', [8]],
      ['W2', [8, 3]],
      ['b2', [3]],
    ]);
    for (const p of report.params) expect(p.meanAbsDiff, p.name).toBeLessThan(1e-8);
    for (const g of gradients) {
      expect(g.backprop).toHaveLength(g.numerical.length);
      for (let i = 0; i < g.backprop.length; i++) expect(Math.abs(g.backprop[i]! - g.numerical[i]!), `${g.name}[${i}]`).toBeLessThan(1e-7);
    }
  });

  it('catches the planted bug in the first layer’s gradients, not the second’s', () => {
    const { report } = runSmallCheck({ ...SMALL_CHECK_DEFAULTS, plantBug: true });
    expect(report.ok).toBe(false);
    const ok = Object.fromEntries(report.params.map((p) => [p.name, p.ok]));
    // The bug is in ReLU's backward, which only the gradients below it (W1, b1) pass through.
    expect(ok).toEqual({ W1: false, b1: false, W2: true, b2: true });
  });

  it('is deterministic for a seed', () => {
    const a = runSmallCheck({ ...SMALL_CHECK_DEFAULTS, seed: 7 });
    const b = runSmallCheck({ ...SMALL_CHECK_DEFAULTS, seed: 7 });
    expect(a.loss).toBe(b.loss);
    expect(reportLines(a.report)).toEqual(reportLines(b.report));
  });

  it('refuses sizes outside its limits with the field named', () => {
    expect(() => runSmallCheck({ ...SMALL_CHECK_DEFAULTS, hidden: 0 })).toThrow('hidden must be a whole number from 1 to 64, got 0');
    expect(() => runSmallCheck({ ...SMALL_CHECK_DEFAULTS, classes: 1.5 })).toThrow('classes must be a whole number from 2 to 10');
    expect(() => runSmallCheck({ ...SMALL_CHECK_DEFAULTS, seed: -1 })).toThrow('seed must be a whole number >= 0');
  });
});

describe('reportLines', () => {
  it('prints a header and an aligned line per parameter', () => {
    const lines = reportLines(runSmallCheck(SMALL_CHECK_DEFAULTS).report);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^param\s+shape\s+mean \|backprop − numerical\|\s+max rel error\s+kinks\s+verdict$/);
    expect(lines[1]).toMatch(/^W1\s+\[6, 8\]\s+\d\.\d\de-\d+\s+\d\.\d\de-\d+\s+0\s+ok$/);
  });
});
