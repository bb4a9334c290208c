import { addBias } from './add-bias.js';
import { broadcastShapes, formatShape, type Shape, ShapeError, sameShape, shapeSize } from './shape.js';
import { allocate, type DType, Tensor } from './tensor.js';

type BinaryFn = (x: number, y: number) => number;

function resultDtype(a: Tensor, b: Tensor | number): DType {
  return typeof b === 'number' ? a.dtype : a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32';
}

function checkOut(op: string, out: Tensor, shape: Shape, operands: readonly Shape[] = [shape]): void {
  if (!sameShape(out.shape, shape)) {
    // Names the operands too: for addInPlace(a, b) the out is a, and b's shape is what to fix.
    throw new ShapeError(op, [...operands, out.shape], `out has shape ${formatShape(out.shape)} but the result has ${formatShape(shape)}`);
  }
}

/** Strides of `shape` aligned to `outShape` from the right; broadcast axes get stride 0. */
function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const j = outShape.length - shape.length + i;
    strides[j] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i]!;
  }
  return strides;
}

function binary(op: string, fn: BinaryFn, a: Tensor, b: Tensor | number, out?: Tensor): Tensor {
  const A = a.data;
  if (typeof b === 'number') {
    const o = out ?? new Tensor(allocate(a.dtype, a.size), a.shape);
    if (out) checkOut(op, out, a.shape);
    const O = o.data;
    for (let i = 0; i < A.length; i++) O[i] = fn(A[i]!, b);
    return o;
  }
  const B = b.data;
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const o = out ?? new Tensor(allocate(resultDtype(a, b), shapeSize(shape)), shape);
  if (out) checkOut(op, out, shape, [a.shape, b.shape]);
  const O = o.data;
  const n = O.length;
  if (A.length === n && B.length === n) {
    for (let i = 0; i < n; i++) O[i] = fn(A[i]!, B[i]!);
  } else if (A.length === n && B.length > 0 && n % B.length === 0 && isSuffix(b.shape, shape)) {
    // Row broadcasting (x + b for a bias b): b repeats every B.length elements.
    const m = B.length;
    for (let i = 0; i < n; i += m) for (let j = 0; j < m; j++) O[i + j] = fn(A[i + j]!, B[j]!);
  } else {
    const sa = broadcastStrides(a.shape, shape);
    const sb = broadcastStrides(b.shape, shape);
    const idx = new Array<number>(shape.length).fill(0);
    let ia = 0;
    let ib = 0;
    for (let k = 0; k < n; k++) {
      O[k] = fn(A[ia]!, B[ib]!);
      for (let ax = shape.length - 1; ax >= 0; ax--) {
        idx[ax]!++;
        ia += sa[ax]!;
        ib += sb[ax]!;
        if (idx[ax]! < shape[ax]!) break;
        ia -= sa[ax]! * shape[ax]!;
        ib -= sb[ax]! * shape[ax]!;
        idx[ax] = 0;
      }
    }
  }
  return o;
}

/** True when `s` equals the trailing axes of `shape` with no size-1 broadcasting inside. */
function isSuffix(s: Shape, shape: Shape): boolean {
  if (s.length > shape.length) return false;
  for (let i = 0; i < s.length; i++) if (s[i] !== shape[shape.length - s.length + i]) return false;
  return true;
}

/** a + b with NumPy broadcasting (`b` may be a number, a row vector for a bias, a column). */
export function add(a: Tensor, b: Tensor | number, out?: Tensor): Tensor {
  // A bias row on float32 (x · W + b) takes the addBias kernel: the same bits, faster.
  if (
    typeof b !== 'number' &&
    a.dtype === 'float32' &&
    b.dtype === 'float32' &&
    b.ndim === 1 &&
    a.ndim >= 1 &&
    b.shape[0] === a.shape[a.ndim - 1] &&
    (out === undefined || (out.dtype === 'float32' && sameShape(out.shape, a.shape)))
  ) {
    return addBias(a, b, out);
  }
  return binary('add', (x, y) => x + y, a, b, out);
}
export function sub(a: Tensor, b: Tensor | number, out?: Tensor): Tensor {
  return binary('sub', (x, y) => x - y, a, b, out);
}
export function mul(a: Tensor, b: Tensor | number, out?: Tensor): Tensor {
  return binary('mul', (x, y) => x * y, a, b, out);
}
export function div(a: Tensor, b: Tensor | number, out?: Tensor): Tensor {
  return binary('div', (x, y) => x / y, a, b, out);
}
export function maximum(a: Tensor, b: Tensor | number, out?: Tensor): Tensor {
  // NaN on either side gives NaN, as NumPy's maximum.
  return binary('maximum', (x, y) => (x >= y || Number.isNaN(x) ? x : y), a, b, out);
}

/** Applies `fn` to every element. */
export function map(a: Tensor, fn: (x: number) => number, out?: Tensor): Tensor {
  const o = out ?? new Tensor(allocate(a.dtype, a.size), a.shape);
  if (out) checkOut('map', out, a.shape);
  const A = a.data;
  const O = o.data;
  for (let i = 0; i < A.length; i++) O[i] = fn(A[i]!);
  return o;
}

export function exp(a: Tensor, out?: Tensor): Tensor {
  return map(a, Math.exp, out);
}
export function log(a: Tensor, out?: Tensor): Tensor {
  return map(a, Math.log, out);
}
export function neg(a: Tensor, out?: Tensor): Tensor {
  return map(a, (x) => -x, out);
}
export function sqrt(a: Tensor, out?: Tensor): Tensor {
  return map(a, Math.sqrt, out);
}
