import { kernelFloat32, wasmRuntime } from './backend.js';
import type { Rng } from './rng.js';
import { assertValidShape, type Shape, sameShape, shapeSize } from './shape.js';
import { allocate, type DType, type NestedArray, Tensor, type TypedArray } from './tensor.js';

export interface ZerosOptions {
  /**
   * Where a float32 tensor's data lives. By default (true), while the 'wasm' backend is in effect,
   * in WASM memory, where the kernels read and write it in place; `false` puts it on the JS heap.
   * float64 data, and any data under 'js', is always on the JS heap. When the WASM memory has no
   * room (it grows where it can; see setBackend) the data goes to the JS heap, counted in
   * backendInfo().memory.heapFallbacks.
   *
   * Only the creation functions (zeros, ones, full, rand, randn, tensor, zerosLike, reuse,
   * toKernel) place data. Results that ops allocate themselves when given no `out` (element-wise
   * ops, reductions, clone/astype, matmul or transpose without out) stay on the JS heap on
   * purpose: they are temporaries, and WASM memory comes back only through a
   * FinalizationRegistry, whose callbacks run after synchronous code yields, so placed
   * temporaries made in a long synchronous loop would grow the memory without bound. Make
   * long-lived buffers (weights, gradients, a layer's output and dx) once with the creation
   * functions and pass them as `out`; keep the tensor (not just a subarray of its data) alive
   * while any view of it is used.
   */
  kernel?: boolean;
}

/** Data for `size` elements: placed in WASM memory (see ZerosOptions) or an ordinary array. */
function place(dtype: DType, size: number, opts: ZerosOptions): TypedArray {
  if (dtype === 'float32' && opts.kernel !== false) {
    const data = kernelFloat32(size);
    if (data !== undefined) return data;
  }
  return allocate(dtype, size);
}

export function zeros(shape: Shape, dtype: DType = 'float64', opts: ZerosOptions = {}): Tensor {
  assertValidShape('zeros', shape);
  return new Tensor(place(dtype, shapeSize(shape), opts), shape);
}

export function full(shape: Shape, value: number, dtype: DType = 'float64', opts: ZerosOptions = {}): Tensor {
  const t = zeros(shape, dtype, opts);
  t.data.fill(value);
  return t;
}

export function ones(shape: Shape, dtype: DType = 'float64', opts: ZerosOptions = {}): Tensor {
  return full(shape, 1, dtype, opts);
}

export function zerosLike(t: Tensor, opts: ZerosOptions = {}): Tensor {
  return zeros(t.shape, t.dtype, opts);
}

/**
 * t itself when its data already lives where the active backend's kernels use it in place (or
 * there is no such place: 'js', float64); otherwise a copy of t in WASM memory, or t itself when
 * the WASM memory has no room (counted in backendInfo().memory.heapFallbacks).
 */
export function toKernel(t: Tensor): Tensor {
  if (t.dtype !== 'float32') return t;
  const rt = wasmRuntime();
  if (rt === undefined || rt.holds(t.data)) return t;
  const data = rt.allocFloat32(t.size);
  if (data === undefined) {
    rt.refused(t.data);
    return t;
  }
  data.set(t.data);
  return new Tensor(data, t.shape);
}

/** A tensor from nested arrays: `tensor([[1, 2], [3, 4]])` has shape [2, 2]. Ragged input is refused. */
export function tensor(values: NestedArray, dtype: DType = 'float64', opts: ZerosOptions = {}): Tensor {
  const shape: number[] = [];
  for (let v: NestedArray = values; Array.isArray(v); v = (v as readonly NestedArray[])[0]!) {
    shape.push((v as readonly NestedArray[]).length);
    if ((v as readonly NestedArray[]).length === 0) break;
  }
  const out = place(dtype, shapeSize(shape), opts);
  let k = 0;
  const walk = (v: NestedArray, axis: number, path: number[]): void => {
    if (axis === shape.length) {
      if (typeof v !== 'number') {
        throw new TypeError(`tensor: expected a number at [${path.join(', ')}], found ${Array.isArray(v) ? 'an array' : typeof v} (ragged nesting?)`);
      }
      out[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new TypeError(`tensor: ragged input at [${path.join(', ')}]: expected an array of length ${shape[axis]}`);
    }
    for (let i = 0; i < v.length; i++) walk((v as readonly NestedArray[])[i]!, axis + 1, [...path, i]);
  };
  walk(values, 0, []);
  return new Tensor(out, shape);
}

export interface RandomOptions extends ZerosOptions {
  dtype?: DType;
}

/** Normal random numbers with the given mean and standard deviation. */
export function randn(shape: Shape, rng: Rng, opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const t = zeros(shape, opts.dtype, opts);
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 1;
  for (let i = 0; i < t.size; i++) t.data[i] = rng.normal(mean, std);
  return t;
}

/** Uniform random numbers in [low, high). */
export function rand(shape: Shape, rng: Rng, opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const t = zeros(shape, opts.dtype, opts);
  const low = opts.low ?? 0;
  const span = (opts.high ?? 1) - low;
  for (let i = 0; i < t.size; i++) t.data[i] = low + span * rng.uniform();
  return t;
}

/** The whole array a reuse() view lies in; the entry also keeps that array (and its WASM block) alive while the view is. */
const backings = new WeakMap<TypedArray, TypedArray>();

/**
 * A tensor of `shape` and `dtype` for a layer's or loss's buffer: `prev` when it already has them;
 * a view on the front of prev's data when that holds enough elements (the array prev was first
 * made with, if prev is such a view); else a new zero tensor, placed as `zeros` places it (in WASM
 * memory for float32 under 'wasm'). Layers and losses make their output and gradient buffers once
 * and reuse them, so a steady training step allocates nothing, and a smaller batch (the last of
 * an epoch, the last chunk of an evaluation) and the full ones after it share one buffer: WASM
 * memory given up in a long synchronous run comes back only after it (see ZerosOptions).
 * The contents of a reused buffer are whatever was written last: overwrite all of it.
 */
export function reuse(prev: Tensor | undefined, shape: Shape, dtype: DType): Tensor {
  if (prev === undefined || prev.dtype !== dtype) return zeros(shape, dtype);
  if (sameShape(prev.shape, shape)) return prev;
  assertValidShape('reuse', shape);
  const backing = backings.get(prev.data) ?? prev.data;
  const size = shapeSize(shape);
  if (size > backing.length) return zeros(shape, dtype);
  if (size === backing.length) return new Tensor(backing, shape);
  const view = backing.subarray(0, size);
  backings.set(view, backing);
  return new Tensor(view, shape);
}
