import type { GradientCheckReport } from '@dlfs/gradcheck';
import { formatShape } from '@dlfs/tensor';

/** The check as aligned text lines, a parameter per line: what the Node demo prints. */
export function reportLines(report: GradientCheckReport): string[] {
  const rows = report.params.map((p) => [
    p.name,
    formatShape(p.shape),
    p.meanAbsDiff.toExponential(2),
    p.maxRelErrorSmooth.toExponential(2),
    String(p.kinks),
    p.ok ? 'ok' : 'WRONG',
  ]);
  const header = ['param', 'shape', 'mean |backprop − numerical|', 'max rel error', 'kinks', 'verdict'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  return [header, ...rows].map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
}
