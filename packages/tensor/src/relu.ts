import { WASM_MIN_ELEMENTS, wasmRuntime } from './backend.js';
import { formatShape, ShapeError, sameShape } from './shape.js';
import { allocate, Tensor } from './tensor.js';

function checkSame(op: string, what: string, t: Tensor, like: Tensor): void {
  if (!sameShape(t.shape, like.shape)) {
    throw new ShapeError(op, [like.shape, t.shape], `${what} has shape ${formatShape(t.shape)} but must have ${formatShape(like.shape)}`);
  }
}

/**
 * 5.5.1 ReLU forward: y = x where x > 0, else 0 (NaN passes through, as in the book's
 * `out[x <= 0] = 0`). Writes `out` (x's shape; may be x itself) or a new tensor of x's dtype.
 */
export function relu(x: Tensor, out?: Tensor): Tensor {
  if (out) checkSame('relu', 'out', out, x);
  const y = out ?? new Tensor(allocate(x.dtype, x.size), x.shape);
  const X = x.data;
  const Y = y.data;
  if (X instanceof Float32Array && Y instanceof Float32Array && X.length >= WASM_MIN_ELEMENTS) {
    const rt = wasmRuntime();
    if (rt !== undefined && rt.holds(X) && rt.holds(Y)) {
      rt.kernels.relu(X.byteOffset, Y.byteOffset, X.length);
      return y;
    }
  }
  for (let i = 0; i < X.length; i++) {
    const v = X[i]!;
    Y[i] = v <= 0 ? 0 : v;
  }
  return y;
}

/**
 * 5.5.1 ReLU backward: dx = dout where the forward value is > 0, else 0. `y` may be the forward
 * input x or the forward output relu(x): both are > 0 at the same places (and both NaN where x
 * is), so a layer need keep no mask. Writes `out` (may be dout itself) or a new tensor.
 */
export function reluBackward(dout: Tensor, y: Tensor, out?: Tensor): Tensor {
  checkSame('reluBackward', 'dout', dout, y);
  if (out) checkSame('reluBackward', 'out', out, y);
  const dx = out ?? new Tensor(allocate(dout.dtype, dout.size), dout.shape);
  const D = dout.data;
  const Y = y.data;
  const DX = dx.data;
  if (D instanceof Float32Array && Y instanceof Float32Array && DX instanceof Float32Array && D.length >= WASM_MIN_ELEMENTS) {
    const rt = wasmRuntime();
    if (rt !== undefined && rt.holds(D) && rt.holds(Y) && rt.holds(DX)) {
      rt.kernels.reluBackward(D.byteOffset, Y.byteOffset, DX.byteOffset, D.length);
      return dx;
    }
  }
  for (let i = 0; i < D.length; i++) DX[i] = Y[i]! <= 0 ? 0 : D[i]!;
  return dx;
}
