import { overlaps } from './backend.js';
import { formatShape, type Shape, ShapeError, sameShape } from './shape.js';
import { allocate, Tensor, type TypedArray } from './tensor.js';

/**
 * 7.4.3 the output size of a convolution or pooling along one axis, the book's conv_output_size:
 * OH = (H + 2·pad − fh) / stride + 1, rounded down as the book's im2col does (a last row or column
 * the stride cannot reach is left out). 0 or less when the filter does not fit the padded input.
 */
export function convOutputSize(inputSize: number, filterSize: number, stride = 1, pad = 0): number {
  return Math.floor((inputSize + 2 * pad - filterSize) / stride) + 1;
}

/** The geometry of one im2col or col2im call (or convolution): input [n, c, h, w], filter fh × fw, output oh × ow. */
export interface Geometry {
  n: number;
  c: number;
  h: number;
  w: number;
  fh: number;
  fw: number;
  stride: number;
  pad: number;
  oh: number;
  ow: number;
}

/** A RangeError naming `name` unless `value` is a whole number >= min. */
export function checkWhole(op: string, name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${op}: ${name} must be a whole number >= ${min}, got ${String(value)}`);
}

/** Checks the input shape and the filter, stride and padding; returns the geometry with the output size. */
export function geometry(op: string, shape: Shape, fh: number, fw: number, stride: number, pad: number): Geometry {
  if (shape.length !== 4) {
    throw new ShapeError(op, [shape], `the input must be 4-D [batch, channels, height, width], got ${formatShape(shape)}`);
  }
  checkWhole(op, 'the filter height', fh, 1);
  checkWhole(op, 'the filter width', fw, 1);
  checkWhole(op, 'stride', stride, 1);
  checkWhole(op, 'pad', pad, 0);
  const [n, c, h, w] = shape as [number, number, number, number];
  const oh = convOutputSize(h, fh, stride, pad);
  const ow = convOutputSize(w, fw, stride, pad);
  if (oh < 1 || ow < 1) {
    throw new ShapeError(
      op,
      [shape],
      `a ${fh}×${fw} filter does not fit a ${h}×${w} input padded by ${pad} (${h + 2 * pad}×${w + 2 * pad}); ` +
        `use a filter at most ${h + 2 * pad}×${w + 2 * pad} or more padding`,
    );
  }
  return { n, c, h, w, fh, fw, stride, pad, oh, ow };
}

/**
 * 7.4.3 im2col: unfolds every filter window of x [N, C, H, W] into one row of
 * cols [N·OH·OW, C·fh·fw], in the book's layout: row (n·OH + oy)·OW + ox is the window of output
 * position (oy, ox) of sample n; column (c·fh + ky)·fw + kx holds x[n, c, oy·stride + ky − pad,
 * ox·stride + kx − pad], 0 where that falls in the padding. A convolution is then one matmul:
 * cols · Wᵀ with W reshaped to [filters, C·fh·fw].
 *
 * Writes `out` (that shape, any dtype, no memory shared with x; nothing is allocated) or a new
 * tensor of x's dtype on the JS heap. The TypeScript kernel runs for every dtype and backend.
 */
export function im2col(x: Tensor, fh: number, fw: number, stride = 1, pad = 0, out?: Tensor): Tensor {
  const g = geometry('im2col', x.shape, fh, fw, stride, pad);
  const shape = [g.n * g.oh * g.ow, g.c * fh * fw];
  if (out !== undefined) {
    if (!sameShape(out.shape, shape)) {
      throw new ShapeError('im2col', [x.shape, out.shape], `out has shape ${formatShape(out.shape)} but the columns of x have ${formatShape(shape)}`);
    }
    if (out.size > 0 && overlaps(out.data, x.data)) throw new ShapeError('im2col', [x.shape, out.shape], 'out must not share memory with x');
  }
  const cols = out ?? new Tensor(allocate(x.dtype, shape[0]! * shape[1]!), shape);
  im2colJs(x.data, cols.data, g);
  return cols;
}

/**
 * 7.4.3 col2im: the adjoint of im2col. Every entry of cols [N·OH·OW, C·fh·fw] is added to the
 * element of x [N, C, H, W] that im2col read it from (entries in the padding are dropped), so
 * windows that overlap (stride < filter size) accumulate: ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩.
 * This is dx of a convolution from dcol.
 *
 * Writes `out` (shape `inputShape`, any dtype, no memory shared with cols; its old values are
 * overwritten and nothing is allocated) or a new tensor of cols' dtype on the JS heap.
 */
export function col2im(cols: Tensor, inputShape: Shape, fh: number, fw: number, stride = 1, pad = 0, out?: Tensor): Tensor {
  const g = geometry('col2im', inputShape, fh, fw, stride, pad);
  const shape = [g.n * g.oh * g.ow, g.c * fh * fw];
  if (!sameShape(cols.shape, shape)) {
    throw new ShapeError(
      'col2im',
      [cols.shape, inputShape],
      `cols has shape ${formatShape(cols.shape)} but a ${fh}×${fw} filter with stride ${stride} and pad ${pad} ` +
        `on ${formatShape(inputShape)} makes ${formatShape(shape)}`,
    );
  }
  if (out !== undefined) {
    if (!sameShape(out.shape, inputShape)) {
      throw new ShapeError(
        'col2im',
        [cols.shape, out.shape],
        `out has shape ${formatShape(out.shape)} but must have the input shape ${formatShape(inputShape)}`,
      );
    }
    if (out.size > 0 && overlaps(out.data, cols.data)) throw new ShapeError('col2im', [cols.shape, out.shape], 'out must not share memory with cols');
  }
  const x = out ?? new Tensor(allocate(cols.dtype, g.n * g.c * g.h * g.w), inputShape);
  col2imJs(cols.data, x.data, g);
  return x;
}

/**
 * The TypeScript reference of im2col. Walks cols in order, one window (row) at a time; within a
 * filter row, the columns kx0..kx1 that land inside the input are one contiguous run of x.
 */
function im2colJs(X: TypedArray, cols: TypedArray, g: Geometry): void {
  const { n, c, h, w, fh, fw, stride, pad, oh, ow } = g;
  const plane = h * w;
  let at = 0;
  for (let s = 0; s < n; s++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * stride - pad;
        const kx0 = Math.min(fw, Math.max(0, -x0));
        const kx1 = Math.max(kx0, Math.min(fw, w - x0));
        for (let ch = 0; ch < c; ch++) {
          const base = (s * c + ch) * plane;
          for (let ky = 0; ky < fh; ky++) {
            const iy = y0 + ky;
            if (iy < 0 || iy >= h) {
              for (let kx = 0; kx < fw; kx++) cols[at + kx] = 0;
            } else {
              const src = base + iy * w + x0;
              for (let kx = 0; kx < kx0; kx++) cols[at + kx] = 0;
              for (let kx = kx0; kx < kx1; kx++) cols[at + kx] = X[src + kx]!;
              for (let kx = kx1; kx < fw; kx++) cols[at + kx] = 0;
            }
            at += fw;
          }
        }
      }
    }
  }
}

/** The TypeScript reference of col2im: zeroes x, then adds every entry of cols where im2col read it. */
function col2imJs(cols: TypedArray, X: TypedArray, g: Geometry): void {
  const { n, c, h, w, fh, fw, stride, pad, oh, ow } = g;
  const plane = h * w;
  X.fill(0);
  let at = 0;
  for (let s = 0; s < n; s++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * stride - pad;
        const kx0 = Math.min(fw, Math.max(0, -x0));
        const kx1 = Math.max(kx0, Math.min(fw, w - x0));
        for (let ch = 0; ch < c; ch++) {
          const base = (s * c + ch) * plane;
          for (let ky = 0; ky < fh; ky++) {
            const iy = y0 + ky;
            if (iy >= 0 && iy < h) {
              const dst = base + iy * w + x0;
              for (let kx = kx0; kx < kx1; kx++) X[dst + kx] = X[dst + kx]! + cols[at + kx]!;
            }
            at += fw;
          }
        }
      }
    }
  }
}
