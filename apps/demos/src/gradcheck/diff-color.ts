/** The range of log10 |backprop − numerical| the colour scale spans: float64 noise up to a real bug. */
export const DIFF_SCALE = { low: -14, high: -2 } as const;

/**
 * A colour for |backprop − numerical|: green at float64 round-off (1e-14 and below), through
 * yellow around 1e-8, to red at 1e-2 and above, interpolated on log10 of the difference.
 */
export function diffColor(absDiff: number): string {
  const l = absDiff > 0 ? Math.log10(absDiff) : DIFF_SCALE.low;
  const f = Math.min(1, Math.max(0, (l - DIFF_SCALE.low) / (DIFF_SCALE.high - DIFF_SCALE.low)));
  // Hue 140 (green) down to 0 (red); lightness dips a little in the middle so yellow stays readable.
  const hue = 140 * (1 - f);
  const light = 78 - 18 * Math.sin(Math.PI * f);
  return `hsl(${hue.toFixed(0)} 70% ${light.toFixed(0)}%)`;
}
