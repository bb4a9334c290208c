import { kernelFloat32, wasmRuntime } from './backend.js';
import type { Rng } from './rng.js';
import { assertValidShape, type Shape, sameShape, shapeSize } from './shape.js';
import { allocate, type DType, type NestedArray, Tensor } from './tensor.js';

export interface ZerosOptions {
  /**
   * Place the data where the active backend's kernels work on it in place: under 'wasm', a
   * float32 tensor then lives in WASM memory and matmul & co. read and write it without copying.
   * Falls back to an ordinary array (still correct, copied per call) under 'js', for float64,
   * or when the WASM arena is full. Meant for long-lived buffers (weights, gradients, a layer's
   * output and dx): the memory goes back to the arena only when the array is garbage-collected,
   * so keep the tensor (not just a subarray of its data) alive while any view of it is used.
   */
  kernel?: boolean;
}

export function zeros(shape: Shape, dtype: DType = 'float64', opts: ZerosOptions = {}): Tensor {
  assertValidShape('zeros', shape);
  if (opts.kernel && dtype === 'float32') {
    const data = kernelFloat32(shapeSize(shape));
    if (data !== undefined) return new Tensor(data, shape);
  }
  return new Tensor(allocate(dtype, shapeSize(shape)), shape);
}

export function full(shape: Shape, value: number, dtype: DType = 'float64'): Tensor {
  const t = zeros(shape, dtype);
  t.data.fill(value);
  return t;
}

export function ones(shape: Shape, dtype: DType = 'float64'): Tensor {
  return full(shape, 1, dtype);
}

export function zerosLike(t: Tensor, opts: ZerosOptions = {}): Tensor {
  return zeros(t.shape, t.dtype, opts);
}

/**
 * t itself when its data already lives where the active backend's kernels use it in place (or
 * there is no such place: 'js', float64, a full arena); otherwise a kernel-placed copy of t.
 */
export function toKernel(t: Tensor): Tensor {
  if (t.dtype !== 'float32') return t;
  const rt = wasmRuntime();
  if (rt === undefined || rt.holds(t.data)) return t;
  const data = rt.allocFloat32(t.size);
  if (data === undefined) return t;
  data.set(t.data);
  return new Tensor(data, t.shape);
}

/** A tensor from nested arrays: `tensor([[1, 2], [3, 4]])` has shape [2, 2]. Ragged input is refused. */
export function tensor(values: NestedArray, dtype: DType = 'float64'): Tensor {
  const shape: number[] = [];
  for (let v: NestedArray = values; Array.isArray(v); v = (v as readonly NestedArray[])[0]!) {
    shape.push((v as readonly NestedArray[]).length);
    if ((v as readonly NestedArray[]).length === 0) break;
  }
  const out = allocate(dtype, shapeSize(shape));
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

export interface RandomOptions {
  dtype?: DType;
}

/** Normal random numbers with the given mean and standard deviation. */
export function randn(shape: Shape, rng: Rng, opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const t = zeros(shape, opts.dtype);
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 1;
  for (let i = 0; i < t.size; i++) t.data[i] = rng.normal(mean, std);
  return t;
}

/** Uniform random numbers in [low, high). */
export function rand(shape: Shape, rng: Rng, opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const t = zeros(shape, opts.dtype);
  const low = opts.low ?? 0;
  const span = (opts.high ?? 1) - low;
  for (let i = 0; i < t.size; i++) t.data[i] = low + span * rng.uniform();
  return t;
}

/**
 * `prev` when it already has this shape and dtype, else a new kernel-placed zero tensor: layers
 * and losses make their output and gradient buffers once per batch shape and reuse them, so a
 * steady training step allocates nothing.
 */
export function reuse(prev: Tensor | undefined, shape: Shape, dtype: DType): Tensor {
  return prev !== undefined && prev.dtype === dtype && sameShape(prev.shape, shape) ? prev : zeros(shape, dtype, { kernel: true });
}
