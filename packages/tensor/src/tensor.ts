import { assertValidShape, formatShape, type Shape, ShapeError, shapeSize } from './shape.js';

export type DType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array;

/** A nested array of numbers such as [[1, 2], [3, 4]]. */
export type NestedArray = number | readonly NestedArray[];

export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float32Array ? 'float32' : 'float64';
}

export function allocate(dtype: DType, size: number): TypedArray {
  return dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
}

/**
 * A dense, row-major n-dimensional array of float32 or float64 numbers.
 * `data` is the typed array itself: layers and optimizers read and write it directly.
 */
export class Tensor {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;

  /**
   * `new Tensor(new Float32Array(6), [2, 3])`. A plain number array becomes float64 unless
   * `dtype` says otherwise; the shape defaults to a vector of the data's length.
   */
  constructor(data: TypedArray | readonly number[], shape?: Shape, dtype?: DType) {
    let arr: TypedArray;
    if (data instanceof Float32Array || data instanceof Float64Array) {
      if (dtype !== undefined && dtype !== dtypeOf(data)) {
        throw new TypeError(`Tensor: data is a ${dtypeOf(data)} array but dtype ${dtype} was asked for; convert with astype()`);
      }
      arr = data;
    } else if (Array.isArray(data)) {
      arr = dtype === 'float32' ? Float32Array.from(data) : Float64Array.from(data);
    } else {
      throw new TypeError('Tensor: data must be a Float32Array, a Float64Array or an array of numbers');
    }
    const s = shape ? [...shape] : [arr.length];
    assertValidShape('Tensor', s);
    if (shapeSize(s) !== arr.length) {
      throw new ShapeError('Tensor', [s], `shape holds ${shapeSize(s)} elements but data has ${arr.length}`);
    }
    this.data = arr;
    this.shape = Object.freeze(s);
    this.dtype = dtypeOf(arr);
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Flat offset of a full index, checked. */
  private offset(op: string, index: readonly number[]): number {
    if (index.length !== this.shape.length) {
      throw new ShapeError(op, [this.shape], `index [${index.join(', ')}] has ${index.length} axes, the tensor ${this.shape.length}`);
    }
    let off = 0;
    for (let i = 0; i < index.length; i++) {
      const k = index[i]!;
      const d = this.shape[i]!;
      if (!Number.isInteger(k) || k < 0 || k >= d) {
        throw new RangeError(`${op}: index [${index.join(', ')}] is out of range for shape ${formatShape(this.shape)}`);
      }
      off = off * d + k;
    }
    return off;
  }

  get(...index: number[]): number {
    return this.data[this.offset('get', index)]!;
  }

  set(value: number, ...index: number[]): void {
    this.data[this.offset('set', index)] = value;
  }

  /** A tensor sharing this one's data with another shape; one axis may be -1 (inferred). */
  reshape(shape: Shape): Tensor {
    const s = [...shape];
    const infer = s.indexOf(-1);
    if (infer !== -1) {
      if (s.indexOf(-1, infer + 1) !== -1) throw new ShapeError('reshape', [this.shape, shape], 'only one axis may be -1');
      const rest = shapeSize(s.filter((_, i) => i !== infer));
      if (rest === 0 || this.size % rest !== 0) {
        throw new ShapeError('reshape', [this.shape, shape], `cannot infer the -1 axis for ${this.size} elements`);
      }
      s[infer] = this.size / rest;
    }
    assertValidShape('reshape', s);
    if (shapeSize(s) !== this.size) {
      throw new ShapeError('reshape', [this.shape, shape], `${this.size} elements cannot take a shape of ${shapeSize(s)}`);
    }
    return new Tensor(this.data, s);
  }

  /** A deep copy, optionally converted to another dtype. */
  clone(dtype: DType = this.dtype): Tensor {
    const out = allocate(dtype, this.size);
    out.set(this.data);
    return new Tensor(out, this.shape);
  }

  /** This tensor in `dtype` (itself when it already is). */
  astype(dtype: DType): Tensor {
    return dtype === this.dtype ? this : this.clone(dtype);
  }

  /** The values as nested arrays (a number for a scalar). */
  toArray(): NestedArray {
    const build = (axis: number, off: number): NestedArray => {
      if (axis === this.shape.length) return this.data[off]!;
      const d = this.shape[axis]!;
      const stride = shapeSize(this.shape.slice(axis + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < d; i++) out.push(build(axis + 1, off + i * stride));
      return out;
    };
    return build(0, 0);
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${formatShape(this.shape)})`;
  }
}
