/**
 * |a − b| / max(|a|, |b|, floor). The floor keeps entries that are (near) zero in both from
 * counting as large relative errors: below about 1e-5 the central difference's own rounding
 * (≈ ε·|f|/h ≈ 1e-11 for a loss near 2.3) is a sizeable part of the value.
 */
export function relativeError(a: number, b: number, floor: number): number {
  const diff = Math.abs(a - b);
  if (diff === 0) return 0;
  return diff / Math.max(Math.abs(a), Math.abs(b), floor);
}

/** Row-major multi-index of a flat offset, for naming the worst entry. */
export function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    const d = shape[ax]!;
    idx[ax] = flat % d;
    flat = Math.floor(flat / d);
  }
  return idx;
}
