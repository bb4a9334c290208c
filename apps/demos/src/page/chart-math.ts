/**
 * Round tick values covering [lo, hi]: steps of 1, 2 or 5 × 10ⁿ, about `count` of them, so that
 * axis labels read 0, 500, 1000 rather than 0, 437, 874.
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [];
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  // Multiples of step, computed from integers so 0.30000000000000004 never appears.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/**
 * Exponential moving average of y (the smoothed loss curve): s₀ = y₀, sᵢ = α·yᵢ + (1 − α)·sᵢ₋₁,
 * continuing from `previous` when the series is extended in pieces.
 */
export function ema(y: ArrayLike<number>, alpha: number, previous?: number): Float64Array {
  const out = new Float64Array(y.length);
  let s = previous;
  for (let i = 0; i < y.length; i++) {
    s = s === undefined ? y[i]! : alpha * y[i]! + (1 - alpha) * s;
    out[i] = s;
  }
  return out;
}

/** A tick label: 1.5k for 1500, 0.25 for 0.25. */
export function formatTick(v: number): string {
  if (Math.abs(v) >= 1000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}
