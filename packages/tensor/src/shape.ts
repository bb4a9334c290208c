/** A tensor's shape: the size of each axis, outermost first. */
export type Shape = readonly number[];

/** Thrown when shapes do not fit an operation; names the operation and every shape involved. */
export class ShapeError extends Error {
  readonly op: string;
  readonly shapes: readonly Shape[];
  constructor(op: string, shapes: readonly Shape[], detail: string) {
    super(`${op}: ${detail} (shapes ${shapes.map(formatShape).join(' and ')})`);
    this.name = 'ShapeError';
    this.op = op;
    this.shapes = shapes;
  }
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Number of elements of a shape (1 for a scalar shape []). */
export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function assertValidShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(op, [shape], `every axis size must be a whole number >= 0, got ${String(d)}`);
    }
  }
}

/**
 * NumPy broadcasting: axes are matched from the right; sizes must be equal or one of them 1.
 * Returns the shape of the result.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(op, [a, b], `axis ${i} has sizes ${da} and ${db}, which cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}
