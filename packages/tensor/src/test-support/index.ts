// Helpers shared by the tensor tests: test data that does not come from the Rng under test,
// shape arbitraries, and value comparisons. Excluded from the build (tsconfig.build.json).
import fc from 'fast-check';
import { type Backend, backendInfo, setBackend } from '../backend.js';
import { toKernel } from '../creation.js';
import { ShapeError } from '../shape.js';
import { type DType, Tensor } from '../tensor.js';

/** mulberry32: a generator unrelated to the xoshiro128** under test, so test data cannot hide its bugs. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What the values look like: `uniform` in [-1, 1); `ints` small whole numbers (sums are exact, ties
 * are common); `sparse` half zeros (drives matmul's zero-skip); `special` mixes 0, -0, ±Infinity,
 * NaN, huge and subnormal numbers into uniform ones; `positive` in (0, 4]; `mnist` 85% zeros and
 * (0, 1] elsewhere, like MNIST pixels (drives the WASM sparse kernels).
 */
export type DataKind = 'uniform' | 'ints' | 'sparse' | 'special' | 'positive' | 'mnist';

const SPECIALS = [0, -0, 1, -1, 0.5, 3, 1e300, -1e300, 5e-324, -5e-324, Infinity, -Infinity, NaN];

export function makeData(n: number, seed: number, kind: DataKind = 'uniform'): Float64Array {
  const r = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    switch (kind) {
      case 'uniform':
        out[i] = 2 * u - 1;
        break;
      case 'ints':
        out[i] = Math.floor(u * 17) - 8;
        break;
      case 'sparse':
        out[i] = u < 0.5 ? 0 : 4 * u - 3;
        break;
      case 'special':
        out[i] = u < 0.4 ? SPECIALS[Math.floor(r() * SPECIALS.length)]! : 2 * r() - 1;
        break;
      case 'positive':
        out[i] = 4 * (1 - u);
        break;
      case 'mnist':
        out[i] = u < 0.85 ? 0 : (u - 0.85) / 0.15;
        break;
    }
  }
  return out;
}

/** A tensor of `shape` filled by makeData, in `dtype` (float32 rounds the values once). */
export function randomTensor(shape: readonly number[], dtype: DType, seed: number, kind: DataKind = 'uniform'): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const values = makeData(n, seed, kind);
  return new Tensor(dtype === 'float32' ? Float32Array.from(values) : values, shape);
}

/** Row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** The multi-index of flat position `k` in `shape`. */
export function unravel(k: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    idx[i] = k % d;
    k = Math.floor(k / d);
  }
  return idx;
}

/** Rounds like a float32 store when `dtype` is float32. */
export function roundTo(dtype: DType, x: number): number {
  return dtype === 'float32' ? Math.fround(x) : x;
}

/** Element-wise identical (Object.is: NaN equals NaN, 0 and -0 differ); reports the first difference. */
export function expectSameValues(actual: ArrayLike<number>, expected: ArrayLike<number>, what = 'values'): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

/** |actual - expected| <= tol(i) for every element (both NaN, or equal infinities, also pass). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: (i: number) => number, what = 'values'): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const t = tol(i);
    if (!(Math.abs(a - e) <= t)) {
      throw new Error(`${what}: element ${i} is ${a}, expected ${e} (difference ${Math.abs(a - e)} > tolerance ${t})`);
    }
  }
}

/** Runs `fn`, expects a ShapeError whose message contains every fragment; returns it. */
export function expectShapeError(fn: () => unknown, ...fragments: string[]): ShapeError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  if (!(caught instanceof ShapeError)) {
    throw new Error(`expected a ShapeError, got ${caught === undefined ? 'no error' : String(caught)}`);
  }
  for (const f of fragments) {
    if (!caught.message.includes(f)) throw new Error(`ShapeError message "${caught.message}" does not contain "${f}"`);
  }
  return caught;
}

/** An axis size: the awkward ones (1, odd, around the 4-row block) often, anything in 1..37 too. */
export const dimArb = fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9), fc.integer({ min: 1, max: 37 }));

/** A shape of `minNd..maxNd` axes of size 1..maxDim (1 often). */
export function shapeArb(minNd: number, maxNd: number, maxDim = 6): fc.Arbitrary<number[]> {
  return fc.array(fc.oneof(fc.constant(1), fc.integer({ min: 1, max: maxDim })), { minLength: minNd, maxLength: maxNd });
}

export const seedArb = fc.integer({ min: 0, max: 0x7fffffff });
export const dtypeArb = fc.constantFrom<DType>('float64', 'float32');

/** Runs fn with `name` as the backend and puts the previous request back. */
export function withBackend<T>(name: Backend, fn: () => T): T {
  const before = backendInfo().requested;
  setBackend(name);
  try {
    return fn();
  } finally {
    setBackend(before);
  }
}

/** Where a test puts its float32 tensors: in WASM memory, on the JS heap, or a mix. */
export type Placement = 'kernel' | 'heap';

/** t in WASM memory ('kernel', under the wasm backend) or as it is ('heap'). */
export function place(t: Tensor, where: Placement): Tensor {
  return where === 'kernel' ? withBackend('wasm', () => toKernel(t)) : t;
}
