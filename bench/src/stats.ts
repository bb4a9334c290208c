export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** The middle value (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summarize: no values');
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** a / b, or undefined when either is missing or b is not positive. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return undefined;
  return a / b;
}

/** Iterations per round so that a round takes about `roundMs`, from a warm-up's ms per iteration. */
export function itersForRound(msPerIter: number, roundMs: number, min = 10, max = 10_000): number {
  if (!(msPerIter > 0)) return max;
  return Math.max(min, Math.min(max, Math.round(roundMs / msPerIter)));
}

/**
 * Untimed iterations at the start of each round: about `ms` of them, at least 2. Between its
 * rounds an implementation's process sits idle while the others run; its first steps after that
 * pay for cold caches and sleeping cores (on the 2-core build machine the first five SimpleConvNet
 * steps after 5 s idle took 12–27 ms on 2 threads against 10.5 ms after them), which is not the
 * speed of a training run, where steps follow each other.
 */
export function rewarmIters(msPerIter: number, ms = 150): number {
  if (!(msPerIter > 0)) return 2;
  return Math.max(2, Math.ceil(ms / msPerIter));
}

/** `items` rotated left by `by`, so that each round starts with another implementation. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const k = ((by % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
