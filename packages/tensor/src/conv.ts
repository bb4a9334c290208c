import { overlaps, wasmRuntime } from './backend.js';
import { checkWhole, convOutputSize, type Geometry, geometry } from './im2col.js';
import { defineKernel, WASM_MIN_ELEMENTS } from './kernel.js';
import { formatShape, type Shape, ShapeError, sameShape } from './shape.js';
import { allocate, type DType, Tensor, type TypedArray } from './tensor.js';
import { scratchSize } from './wasm/runtime.js';

// Chapter 7's convolution and max pooling as kernels: WASM SIMD for float32 (assembly/conv.ts),
// the TypeScript references below for float64 and as the fallback.
//
// A convolution here works on "cols" with one column per output position, one block per sample:
// cols[n, (c·fh + ky)·fw + kx, oy·OW + ox] = x[n, c, oy·stride + ky − pad, ox·stride + kx − pad],
// shape [N, K, P] with K = C·fh·fw and P = OH·OW. It holds the same numbers as the book's im2col
// ([N·P, K], see im2col.ts) with each sample's block transposed, so that the output of a sample
// is one product W · cols[n] (W as [F, K]) that comes out channels first, with no transpose.
// The conv kernels make one sample's cols at a time in scratch and use them while they are in
// cache; none are kept between the forward and backward passes: the filter gradient makes them
// again from x, which costs less than writing them out and reading them back (5.8 MB a step
// for SimpleConvNet's batch of 100).

/** One convolution's sizes: input [n, c, h, w], f filters of fh × fw, stride, pad, output oh × ow. */
interface ConvGeometry extends Geometry {
  f: number;
}

/** The geometry of x [N, C, H, W] under f filters of fh × fw (im2col's checks), or an error naming what does not fit. */
function convGeometry(op: string, xShape: Shape, f: number, fh: number, fw: number, stride: number, pad: number): ConvGeometry {
  return { ...geometry(op, xShape, fh, fw, stride, pad), f };
}

/** The filters W [F, C, fh, fw] for input x [N, C, H, W], checked. */
function filterGeometry(op: string, xShape: Shape, W: Tensor, stride: number, pad: number): ConvGeometry {
  if (W.ndim !== 4) throw new ShapeError(op, [W.shape], `W must be 4-D [filters, channels, height, width], got ${formatShape(W.shape)}`);
  const [f, c, fh, fw] = W.shape as [number, number, number, number];
  const g = convGeometry(op, xShape, f, fh, fw, stride, pad);
  if (g.c !== c) throw new ShapeError(op, [xShape, W.shape], `the input has ${g.c} channels but W ${formatShape(W.shape)} takes ${c}`);
  return g;
}

const colsShape = (g: ConvGeometry): number[] => [g.n, g.c * g.fh * g.fw, g.oh * g.ow];

function checkOut(op: string, name: string, t: Tensor, shape: Shape, others: readonly Tensor[]): void {
  if (!sameShape(t.shape, shape)) throw new ShapeError(op, [t.shape, shape], `${name} has shape ${formatShape(t.shape)} but must have ${formatShape(shape)}`);
  for (const o of others) {
    if (t.size > 0 && o.size > 0 && overlaps(t.data, o.data)) throw new ShapeError(op, [t.shape, o.shape], `${name} must not share memory with an input`);
  }
}

function checkDtype(op: string, tensors: readonly Tensor[]): DType {
  const dtype = tensors[0]!.dtype;
  for (const t of tensors) if (t.dtype !== dtype) throw new TypeError(`${op}: every tensor must have one dtype; got ${tensors.map((x) => x.dtype).join(', ')}`);
  return dtype;
}

/**
 * The windows of x [N, C, H, W] for an fh × fw filter, one column per output position:
 * [N, C·fh·fw, OH·OW] (see the top of this file; the book's im2col with each sample's block
 * transposed). Writes `out` (that shape and x's dtype; overwritten, nothing allocated) or a new
 * tensor.
 */
export function convCols(x: Tensor, fh: number, fw: number, stride = 1, pad = 0, out?: Tensor): Tensor {
  const g = convGeometry('convCols', x.shape, 1, fh, fw, stride, pad);
  const shape = colsShape(g);
  if (out !== undefined) {
    checkOut('convCols', 'out', out, shape, [x]);
    checkDtype('convCols', [x, out]);
  }
  const cols = out ?? new Tensor(allocate(x.dtype, shape[0]! * shape[1]! * shape[2]!), shape);
  convColsKernel.run({ x: x.data, cols: cols.data, g, parts: 1 });
  return cols;
}

export interface Conv2dOptions {
  /** Step between neighbouring windows (1 by default). */
  stride?: number;
  /** Zeros added on every side of the input (0 by default). */
  pad?: number;
  /** Where to write the output [N, F, OH, OW]. New when not given. */
  out?: Tensor;
}

/**
 * 7.4 convolution: y[n, f] = Σ_c W[f, c] ⋆ x[n, c] + b[f], for x [N, C, H, W], W [F, C, fh, fw]
 * and b [F]: sample by sample, the windows of x (convCols) and one matrix product with W as
 * [F, C·fh·fw]. Returns y [N, F, OH, OW]; every tensor has one dtype. The windows are made in
 * scratch and not kept (conv2dFilterGrad makes them again from x). The WASM kernel skips window
 * positions whose inputs are all 0 (an image's blank margins), so, as in matmul, a skipped
 * 0 · NaN or 0 · ±Infinity in W counts as 0; with finite W the backends agree within float32
 * rounding.
 */
export function conv2d(x: Tensor, W: Tensor, b: Tensor, opts: Conv2dOptions = {}): Tensor {
  const { stride = 1, pad = 0 } = opts;
  const g = filterGeometry('conv2d', x.shape, W, stride, pad);
  if (!sameShape(b.shape, [g.f]))
    throw new ShapeError('conv2d', [W.shape, b.shape], `b must have shape [${g.f}], one bias per filter, got ${formatShape(b.shape)}`);
  const yShape = [g.n, g.f, g.oh, g.ow];
  const y = opts.out ?? new Tensor(allocate(x.dtype, g.n * g.f * g.oh * g.ow), yShape);
  checkOut('conv2d', 'out', y, yShape, [x, W, b]);
  checkDtype('conv2d', [x, W, b, y]);
  convForwardKernel.run({ x: x.data, W: W.data, b: b.data, y: y.data, g, parts: 1 });
  return y;
}

/**
 * 7.4 the gradients of the filters and biases: dW[f, c] = Σ_n dout[n, f] ⋆ x[n, c] (as a
 * product, Σ_n dout[n, f] · cols[n]ᵀ with cols the windows of x) and db[f] = Σ over samples and
 * positions of dout[n, f], from the forward input x [N, C, H, W] and dout [N, F, OH, OW].
 * dW [F, C, fh, fw] (W's shape, which gives the filter size) and db [F] are overwritten. The
 * windows are made again from x, a sample at a time, rather than kept from the forward pass.
 * In WASM the sum runs over fixed blocks of samples whose shares are added in order, so that
 * any number of threads gives the same bits.
 */
export function conv2dFilterGrad(dout: Tensor, x: Tensor, dW: Tensor, db: Tensor, opts: { stride?: number; pad?: number } = {}): void {
  const { stride = 1, pad = 0 } = opts;
  const g = filterGeometry('conv2dFilterGrad', x.shape, dW, stride, pad);
  const expected = [g.n, g.f, g.oh, g.ow];
  if (!sameShape(dout.shape, expected)) {
    throw new ShapeError(
      'conv2dFilterGrad',
      [dout.shape, expected],
      `dout ${formatShape(dout.shape)} must have the output's shape ${formatShape(expected)} (x ${formatShape(x.shape)}, dW ${formatShape(dW.shape)})`,
    );
  }
  checkOut('conv2dFilterGrad', 'db', db, [g.f], [dout, x]);
  checkOut('conv2dFilterGrad', 'dW', dW, dW.shape, [dout, x, db]);
  checkDtype('conv2dFilterGrad', [dout, x, dW, db]);
  convFilterGradKernel.run({ x: x.data, dout: dout.data, dW: dW.data, db: db.data, g, blocks: 1, parts: 1 });
}

/**
 * 7.4 the gradient of the input: dx = col2im(Wᵀ · dout[n]) for each sample, from dout
 * [N, F, OH, OW] and W [F, C, fh, fw]; every window position's share is added to the input
 * element it came from (the padding's are dropped). Writes `out` (inputShape, overwritten) or a
 * new tensor.
 */
export function conv2dInputGrad(dout: Tensor, W: Tensor, inputShape: Shape, opts: { stride?: number; pad?: number; out?: Tensor } = {}): Tensor {
  const { stride = 1, pad = 0 } = opts;
  const g = filterGeometry('conv2dInputGrad', inputShape, W, stride, pad);
  const expected = [g.n, g.f, g.oh, g.ow];
  if (!sameShape(dout.shape, expected)) {
    throw new ShapeError('conv2dInputGrad', [dout.shape, expected], `dout ${formatShape(dout.shape)} must have the output's shape ${formatShape(expected)}`);
  }
  const dx = opts.out ?? new Tensor(allocate(dout.dtype, g.n * g.c * g.h * g.w), inputShape);
  checkOut('conv2dInputGrad', 'out', dx, inputShape, [dout, W]);
  checkDtype('conv2dInputGrad', [dout, W, dx]);
  convInputGradKernel.run({ dout: dout.data, W: W.data, dx: dx.data, g, parts: 1 });
  return dx;
}

/** One pooling's sizes: planes (samples × channels) of h × w, a size × size window, stride, output oh × ow. */
interface PoolGeometry {
  planes: number;
  h: number;
  w: number;
  size: number;
  stride: number;
  oh: number;
  ow: number;
}

function poolGeometry(op: string, xShape: Shape, size: number, stride: number): PoolGeometry {
  if (xShape.length !== 4) throw new ShapeError(op, [xShape], `the input must be 4-D [batch, channels, height, width], got ${formatShape(xShape)}`);
  checkWhole(op, 'size', size, 1);
  checkWhole(op, 'stride', stride, 1);
  const [n, c, h, w] = xShape as [number, number, number, number];
  const oh = convOutputSize(h, size, stride);
  const ow = convOutputSize(w, size, stride);
  if (oh < 1 || ow < 1) throw new ShapeError(op, [xShape], `a ${size}×${size} window does not fit a ${h}×${w} input`);
  return { planes: n * c, h, w, size, stride, oh, ow };
}

/**
 * 7.3 max pooling of x [N, C, H, W] over size × size windows `stride` apart: out [N, C, OH, OW]
 * (OH = (H − size) / stride + 1, rounded down) gets each window's largest value and `at` (the
 * same shape) its position in the window, ky·size + kx, which maxPoolBackward needs. Of equal
 * values the first, row by row, wins (np.argmax); a NaN is a window's maximum (np.max).
 * Writes `out` and `at` (x's dtype) or new tensors.
 */
export function maxPool2d(x: Tensor, size: number, stride = size, opts: { out?: Tensor; at?: Tensor } = {}): { out: Tensor; at: Tensor } {
  const g = poolGeometry('maxPool2d', x.shape, size, stride);
  const shape = [x.shape[0]!, x.shape[1]!, g.oh, g.ow];
  const count = g.planes * g.oh * g.ow;
  const out = opts.out ?? new Tensor(allocate(x.dtype, count), shape);
  const at = opts.at ?? new Tensor(allocate(x.dtype, count), shape);
  checkOut('maxPool2d', 'out', out, shape, [x]);
  checkOut('maxPool2d', 'at', at, shape, [x, out]);
  checkDtype('maxPool2d', [x, out, at]);
  maxPoolKernel.run({ x: x.data, out: out.data, at: at.data, g, parts: 1 });
  return { out, at };
}

/**
 * 7.3 max pooling backward: dx [N, C, H, W] is 0 except where a window's maximum was, which
 * gets that window's dout (summed where windows overlap). `at` is what maxPool2d wrote. Writes
 * `out` (overwritten) or a new tensor.
 */
export function maxPool2dBackward(dout: Tensor, at: Tensor, inputShape: Shape, size: number, stride = size, out?: Tensor): Tensor {
  const g = poolGeometry('maxPool2dBackward', inputShape, size, stride);
  const shape = [inputShape[0]!, inputShape[1]!, g.oh, g.ow];
  if (!sameShape(dout.shape, shape) || !sameShape(at.shape, shape)) {
    throw new ShapeError('maxPool2dBackward', [dout.shape, at.shape, shape], `dout and at must have the pooled shape ${formatShape(shape)}`);
  }
  const dx = out ?? new Tensor(allocate(dout.dtype, g.planes * g.h * g.w), inputShape);
  checkOut('maxPool2dBackward', 'out', dx, inputShape, [dout, at]);
  checkDtype('maxPool2dBackward', [dout, at, dx]);
  maxPoolBackwardKernel.run({ dout: dout.data, at: at.data, dx: dx.data, g, parts: 1 });
  return dx;
}

// The kernels. Each call covers every sample (filter, plane); with threads, a large call is
// split by samples (filters for the filter gradient, planes for pooling), and every element is
// computed as one thread would compute it.

/** Below this many multiply-adds a convolution stays in TypeScript. */
const WASM_MIN_MACS = 1024;
/** A part of a split call gets at least this much work: multiply-adds, or elements for the memory-bound kernels. */
const MIN_MACS_PER_PART = 1 << 22;
const MIN_ELEMENTS_PER_PART = 1 << 16;

/** Parts for a call of `work` units over `count` splittable units (samples, filters, planes). */
function partsOf(work: number, minPerPart: number, count: number): number {
  return Math.max(1, Math.min(count, wasmRuntime()?.partsFor(work, minPerPart) ?? 1));
}

interface ColsCall {
  x: TypedArray;
  cols: TypedArray;
  g: ConvGeometry;
  parts: number;
}

const convColsKernel = defineKernel<ColsCall, void>({
  name: 'convCols',
  placement: 'copy',
  minSize: WASM_MIN_ELEMENTS,
  operands: { x: 'read', cols: 'write' },
  size: (c) => c.cols.length,
  scratchBytes(c) {
    c.parts = partsOf(c.cols.length, MIN_ELEMENTS_PER_PART, c.g.n);
    return 0;
  },
  reference: ({ x, cols, g }) => convColsJs(x, cols, g),
  wasm(_K, at, { g, parts }, rt) {
    const xs = 4 * g.c * g.h * g.w;
    const cs = 4 * g.c * g.fh * g.fw * g.oh * g.ow;
    rt.split('convCols', parts, g.n, (s0, s1, _part, args) => {
      args.push(at.x + s0 * xs, s1 - s0, g.c, g.h, g.w, g.fh, g.fw, g.stride, g.pad, g.oh, g.ow, at.cols + s0 * cs);
    });
  },
});

interface ForwardCall {
  x: TypedArray;
  W: TypedArray;
  b: TypedArray;
  y: TypedArray;
  g: ConvGeometry;
  parts: number;
}

/** Multiply-adds of a convolution's product (forward, filter gradient or input gradient). */
const macsOf = (g: ConvGeometry): number => g.n * g.f * g.c * g.fh * g.fw * g.oh * g.ow;

/** Bytes of one sample's windows, K·P floats. */
const sampleColsBytes = (g: ConvGeometry): number => scratchSize(4 * g.c * g.fh * g.fw * g.oh * g.ow);

/** One part's scratch for the forward pass: one sample's windows, the packed strip (32·k bytes) and its row numbers (4·k). */
const forwardScratch = (g: ConvGeometry): number => sampleColsBytes(g) + scratchSize(32 * g.c * g.fh * g.fw) + scratchSize(4 * g.c * g.fh * g.fw);

/**
 * The forward pass with its im2col, sample by sample: each sample's windows are made in scratch
 * and multiplied while still in cache. The reference does the same arithmetic.
 */
const convForwardKernel = defineKernel<ForwardCall, void>({
  name: 'conv2d',
  placement: 'copy',
  minSize: WASM_MIN_MACS,
  operands: { x: 'read', W: 'read', b: 'read', y: 'write' },
  size: (c) => macsOf(c.g),
  scratchBytes(c) {
    c.parts = partsOf(macsOf(c.g), MIN_MACS_PER_PART, c.g.n);
    return c.parts * forwardScratch(c.g);
  },
  reference: ({ x, W, b, y, g }) => convForwardJs(x, W, b, y, g),
  wasm(_K, at, { g, parts }, rt) {
    const colsBytes = sampleColsBytes(g);
    const panelBytes = scratchSize(32 * g.c * g.fh * g.fw);
    const scratch = rt.scratchParts(parts, forwardScratch(g));
    rt.split('convColsForward', parts, g.n, (s0, s1, part, args) => {
      const s = scratch[part]!;
      args.push(at.x, at.W, at.b, at.y, s0, s1, g.c, g.h, g.w, g.fh, g.fw, g.stride, g.pad, g.oh, g.ow, g.f);
      args.push(s, s + colsBytes, s + colsBytes + panelBytes);
    });
  },
});

interface FilterGradCall {
  x: TypedArray;
  dout: TypedArray;
  dW: TypedArray;
  db: TypedArray;
  g: ConvGeometry;
  blocks: number;
  parts: number;
}

/** The most blocks of samples a filter gradient is summed in (their shares take blocks · (F·K + F) floats of scratch). */
const MAX_GRAD_BLOCKS = 16;

/**
 * Blocks of samples the WASM filter gradient is summed in: one per MIN_MACS_PER_PART of work, so
 * that there is a block for each thread of a large call, and set by the call's size alone (never
 * by the thread count), so that every thread count adds the same shares in the same order.
 */
export function filterGradBlocks(g: ConvGeometry): number {
  return Math.max(1, Math.min(g.n, MAX_GRAD_BLOCKS, Math.floor(macsOf(g) / MIN_MACS_PER_PART)));
}

/** One part's scratch for the filter gradient: one sample's windows and one sample's F×K product. */
const filterGradScratch = (g: ConvGeometry): number => sampleColsBytes(g) + scratchSize(4 * g.f * g.c * g.fh * g.fw);

const convFilterGradKernel = defineKernel<FilterGradCall, void>({
  name: 'conv2dFilterGrad',
  placement: 'copy',
  minSize: WASM_MIN_MACS,
  operands: { x: 'read', dout: 'read', dW: 'write', db: 'write' },
  size: (c) => macsOf(c.g),
  scratchBytes(c) {
    c.blocks = filterGradBlocks(c.g);
    // A part per block (the blocks are already the size of a part's work): equal parts.
    c.parts = partsOf(macsOf(c.g), MIN_MACS_PER_PART, c.blocks) > 1 ? c.blocks : 1;
    return scratchSize(4 * c.blocks * (c.dW.length + c.g.f)) + c.parts * filterGradScratch(c.g);
  },
  reference: ({ x, dout, dW, db, g }) => convFilterGradJs(x, dout, dW, db, g),
  wasm(K, at, { g, blocks, parts }, rt) {
    const len = g.f * g.c * g.fh * g.fw;
    const partials = rt.scratch(4 * blocks * (len + g.f));
    const colsBytes = sampleColsBytes(g);
    const scratch = rt.scratchParts(parts, filterGradScratch(g));
    rt.split('convFilterGrad', parts, blocks, (q0, q1, part, args) => {
      const s = scratch[part]!;
      args.push(at.x, at.dout, partials, q0, q1, blocks, g.n, g.c, g.h, g.w, g.fh, g.fw, g.stride, g.pad, g.oh, g.ow, g.f, s, s + colsBytes);
    });
    K.convSumBlocks(partials, blocks, len, g.f, at.dW, at.db);
  },
});

interface InputGradCall {
  dout: TypedArray;
  W: TypedArray;
  dx: TypedArray;
  g: ConvGeometry;
  parts: number;
}

/** One part's scratch for the input gradient: one sample's dcols (4·K·P bytes) and the packed strip (32·F). */
const inputScratch = (g: ConvGeometry): number => scratchSize(4 * g.c * g.fh * g.fw * g.oh * g.ow) + scratchSize(32 * g.f);

const convInputGradKernel = defineKernel<InputGradCall, void>({
  name: 'conv2dInputGrad',
  placement: 'copy',
  minSize: WASM_MIN_MACS,
  operands: { dout: 'read', W: 'read', dx: 'write' },
  size: (c) => c.dout.length * c.g.c * c.g.fh * c.g.fw,
  scratchBytes(c) {
    c.parts = partsOf(c.dout.length * c.g.c * c.g.fh * c.g.fw, MIN_MACS_PER_PART, c.g.n);
    return c.parts * inputScratch(c.g);
  },
  reference: ({ dout, W, dx, g }) => convInputGradJs(dout, W, dx, g),
  wasm(_K, at, { g, parts }, rt) {
    const dcolsBytes = scratchSize(4 * g.c * g.fh * g.fw * g.oh * g.ow);
    const scratch = rt.scratchParts(parts, inputScratch(g));
    rt.split('convInputGrad', parts, g.n, (s0, s1, part, args) => {
      const s = scratch[part]!;
      args.push(at.dout, at.W, at.dx, s0, s1, g.c, g.h, g.w, g.f, g.fh, g.fw, g.stride, g.pad, g.oh, g.ow, s, s + dcolsBytes);
    });
  },
});

interface PoolCall {
  x: TypedArray;
  out: TypedArray;
  at: TypedArray;
  g: PoolGeometry;
  parts: number;
}

const maxPoolKernel = defineKernel<PoolCall, void>({
  name: 'maxPool',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { x: 'read', out: 'write', at: 'write' },
  size: (c) => c.x.length,
  scratchBytes(c) {
    c.parts = partsOf(c.x.length, MIN_ELEMENTS_PER_PART, c.g.planes);
    return 0;
  },
  reference: ({ x, out, at, g }) => maxPoolJs(x, out, at, g),
  wasm(_K, p, { g, parts }, rt) {
    rt.split('maxPool', parts, g.planes, (q0, q1, _part, args) => {
      args.push(p.x, p.out, p.at, q0, q1, g.h, g.w, g.size, g.stride, g.oh, g.ow);
    });
  },
});

interface PoolBackwardCall {
  dout: TypedArray;
  at: TypedArray;
  dx: TypedArray;
  g: PoolGeometry;
  parts: number;
}

const maxPoolBackwardKernel = defineKernel<PoolBackwardCall, void>({
  name: 'maxPoolBackward',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { dout: 'read', at: 'read', dx: 'write' },
  size: (c) => c.dx.length,
  scratchBytes(c) {
    c.parts = partsOf(c.dx.length, MIN_ELEMENTS_PER_PART, c.g.planes);
    return 0;
  },
  reference: ({ dout, at, dx, g }) => maxPoolBackwardJs(dout, at, dx, g),
  wasm(_K, p, { g, parts }, rt) {
    rt.split('maxPoolBackward', parts, g.planes, (q0, q1, _part, args) => {
      args.push(p.dout, p.at, p.dx, q0, q1, g.h, g.w, g.size, g.stride, g.oh, g.ow);
    });
  },
});

// The TypeScript references: the definitions the WASM entries are tested against.

/** The output columns ox whose input column ox·stride + kx − pad lies in [0, w): [lo, hi]. */
function columnRange(w: number, kx: number, stride: number, pad: number, ow: number): [number, number] {
  const first = pad - kx;
  const lo = first <= 0 ? 0 : Math.ceil(first / stride);
  const last = w - 1 + pad - kx;
  const hi = last < 0 ? -1 : Math.min(ow - 1, Math.floor(last / stride));
  return [lo, hi];
}

/** The windows of samples [s0, s1) of X, one K×P block after another from cols[0] (see the top of this file). */
function convColsJs(X: TypedArray, cols: TypedArray, g: ConvGeometry, s0 = 0, s1 = g.n): void {
  const { c, h, w, fh, fw, stride, pad, oh, ow } = g;
  let at = 0;
  for (let s = s0; s < s1; s++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = (s * c + ch) * h * w;
      for (let ky = 0; ky < fh; ky++) {
        for (let kx = 0; kx < fw; kx++) {
          const [lo, hi] = columnRange(w, kx, stride, pad, ow);
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * stride + ky - pad;
            const row = at + oy * ow;
            if (iy < 0 || iy >= h || lo > hi) {
              cols.fill(0, row, row + ow);
              continue;
            }
            cols.fill(0, row, row + lo);
            const src = plane + iy * w + kx - pad;
            for (let ox = lo; ox <= hi; ox++) cols[row + ox] = X[src + ox * stride]!;
            cols.fill(0, row + hi + 1, row + ow);
          }
          at += oh * ow;
        }
      }
    }
  }
}

/** Float64 work space, reused so that a call allocates nothing once it has grown: one row of p, one sample's windows, dW's sums. */
const work = { row: new Float64Array(0), cols: new Float64Array(0), sums: new Float64Array(0) };
function grown(name: keyof typeof work, length: number): Float64Array {
  if (work[name].length < length) work[name] = new Float64Array(length);
  return work[name];
}
const accumulator = (p: number): Float64Array => grown('row', p);

/** y[s] = W · cols[s] + b, for every sample s, its windows made in float64 (exact copies of x). */
function convForwardJs(X: TypedArray, W: TypedArray, b: TypedArray, Y: TypedArray, g: ConvGeometry): void {
  const { n, f } = g;
  const k = g.c * g.fh * g.fw;
  const p = g.oh * g.ow;
  const cols = grown('cols', k * p);
  const acc = accumulator(p);
  for (let s = 0; s < n; s++) {
    convColsJs(X, cols, g, s, s + 1);
    for (let r = 0; r < f; r++) {
      acc.fill(b[r]!, 0, p);
      for (let q = 0; q < k; q++) {
        const a = W[r * k + q]!;
        if (a === 0) continue;
        const row = q * p;
        for (let j = 0; j < p; j++) acc[j] = acc[j]! + a * cols[row + j]!;
      }
      const y0 = (s * f + r) * p;
      for (let j = 0; j < p; j++) Y[y0 + j] = acc[j]!;
    }
  }
}

/** dW = Σ_s dout[s] · cols[s]ᵀ, db = Σ_s Σ_p dout[s], summed in float64 over the samples in order. */
function convFilterGradJs(X: TypedArray, dout: TypedArray, dW: TypedArray, db: TypedArray, g: ConvGeometry): void {
  const { n, f } = g;
  const k = g.c * g.fh * g.fw;
  const p = g.oh * g.ow;
  const cols = grown('cols', k * p);
  const sums = grown('sums', f * k + f);
  sums.fill(0, 0, f * k + f);
  for (let s = 0; s < n; s++) {
    convColsJs(X, cols, g, s, s + 1);
    for (let r = 0; r < f; r++) {
      const d0 = (s * f + r) * p;
      let bias = 0;
      for (let j = 0; j < p; j++) bias += dout[d0 + j]!;
      sums[f * k + r] = sums[f * k + r]! + bias;
      for (let q = 0; q < k; q++) {
        const c0 = q * p;
        let sum = 0;
        for (let j = 0; j < p; j++) sum += dout[d0 + j]! * cols[c0 + j]!;
        sums[r * k + q] = sums[r * k + q]! + sum;
      }
    }
  }
  for (let i = 0; i < f * k; i++) dW[i] = sums[i]!;
  for (let r = 0; r < f; r++) db[r] = sums[f * k + r]!;
}

function convInputGradJs(dout: TypedArray, W: TypedArray, dx: TypedArray, g: ConvGeometry): void {
  const { n, c, h, w, f, fh, fw, stride, pad, oh, ow } = g;
  const k = c * fh * fw;
  const p = oh * ow;
  const acc = accumulator(p);
  dx.fill(0, 0, n * c * h * w);
  for (let s = 0; s < n; s++) {
    let q = 0;
    for (let ch = 0; ch < c; ch++) {
      const plane = (s * c + ch) * h * w;
      for (let ky = 0; ky < fh; ky++) {
        for (let kx = 0; kx < fw; kx++) {
          // Row q of dcols = Σ_r W[r, q] · dout[s, r].
          acc.fill(0, 0, p);
          for (let r = 0; r < f; r++) {
            const a = W[r * k + q]!;
            if (a === 0) continue;
            const d0 = (s * f + r) * p;
            for (let j = 0; j < p; j++) acc[j] = acc[j]! + a * dout[d0 + j]!;
          }
          const [lo, hi] = columnRange(w, kx, stride, pad, ow);
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * stride + ky - pad;
            if (iy < 0 || iy >= h) continue;
            const dst = plane + iy * w + kx - pad;
            for (let ox = lo; ox <= hi; ox++) dx[dst + ox * stride] = dx[dst + ox * stride]! + acc[oy * ow + ox]!;
          }
          q++;
        }
      }
    }
  }
}

function maxPoolJs(X: TypedArray, Y: TypedArray, A: TypedArray, g: PoolGeometry): void {
  const { planes, h, w, size, stride, oh, ow } = g;
  let o = 0;
  for (let q = 0; q < planes; q++) {
    const base = q * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const corner = base + oy * stride * w + ox * stride;
        let max = X[corner]!;
        let best = 0;
        for (let ky = 0; ky < size; ky++) {
          const row = corner + ky * w;
          for (let kx = 0; kx < size; kx++) {
            const v = X[row + kx]!;
            // Strictly greater: of equal values the first stays (np.argmax); the first NaN wins (np.max).
            if (v > max || (Number.isNaN(v) && !Number.isNaN(max))) {
              max = v;
              best = ky * size + kx;
            }
          }
        }
        Y[o] = max;
        A[o] = best;
        o++;
      }
    }
  }
}

function maxPoolBackwardJs(dout: TypedArray, A: TypedArray, dx: TypedArray, g: PoolGeometry): void {
  const { planes, h, w, size, stride, oh, ow } = g;
  dx.fill(0, 0, planes * h * w);
  let o = 0;
  for (let q = 0; q < planes; q++) {
    const base = q * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const pos = A[o]!;
        const ky = Math.floor(pos / size);
        const e = base + (oy * stride + ky) * w + ox * stride + (pos - ky * size);
        dx[e] = dx[e]! + dout[o]!;
        o++;
      }
    }
  }
}
