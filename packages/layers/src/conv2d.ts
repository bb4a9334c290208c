import { anyOf, formatValue, number, oneOf, optional, required, wholeNumber } from '@dlfs/core';
import {
  conv2d as convolve,
  conv2dFilterGrad,
  conv2dInputGrad,
  convOutputSize,
  type DType,
  formatShape,
  randn,
  reuse,
  sameShape,
  ShapeError,
  Tensor,
  toKernel,
  zeros,
} from '@dlfs/tensor';
import { LayerConfigError, layerConfig } from './layer-config.js';
import type { BackwardContext, CreateContext, ForwardContext, Layer, LayerDef, OnnxLayerContext } from './layer.js';

export type Conv2dConfig = {
  /** Number of filters: the output's channels. */
  filters: number;
  /** Height and width of each (square) filter. */
  size: number;
  /** Step between neighbouring windows (1 when not given). */
  stride?: number;
  /** Zeros added on every side of the input (0 when not given). */
  pad?: number;
  /**
   * Standard deviation of the initial W: a number (0.01 when not given, as the book's
   * SimpleConvNet), 'xavier' for √(1/n) or 'he' for √(2/n), where n = channels · size².
   */
  weightInitStd?: number | 'xavier' | 'he';
};

export interface Conv2dOptions {
  /** Shape of one input sample: [channels, height, width]; channels must be W's second axis. */
  inputShape: readonly number[];
  /** Step between neighbouring windows; 1 by default. */
  stride?: number;
  /** Zeros added on every side of the input; 0 by default. */
  pad?: number;
}

/** The buffers of one mode (train or not): what forward makes and backward reads. */
interface Pass {
  /** The forward input [N, C, H, W] in W's dtype, from which backward makes the windows again. */
  x: Tensor | undefined;
  /** The output [N, filters, OH, OW]. */
  out: Tensor | undefined;
}

/**
 * 7.4 Convolution: y[n, f] = Σ_c W[f, c] ⋆ x[n, c] + b[f] for every filter f, computed the book's
 * way: im2col unfolds every window of x (here with one column per output position, a sample at
 * a time) and a matrix product with W reshaped to [filters, C·fh·fw] applies every filter to
 * every window, the output coming out channels first. Unlike the book, the windows are not kept
 * for backward, which makes them again from x: at stride 1 they are about fh·fw times the size
 * of x, and writing them out and reading them back cost more than making them twice. Input [N, C, H, W], output [N, filters, OH, OW]
 * with OH = (H + 2·pad − fh) / stride + 1 (rounded down). W has the book's shape
 * [filters, C, fh, fw], b [filters]. Output, params and grads have W's dtype; dx has the dtype of
 * the forward input. The kernels are @dlfs/tensor's conv2d, conv2dFilterGrad and conv2dInputGrad.
 */
export class Conv2d implements Layer {
  readonly params: Readonly<{ W: Tensor; b: Tensor }>;
  /** Allocated once; every backward overwrites them. */
  readonly grads: Readonly<{ W: Tensor; b: Tensor }>;
  readonly outputShape: readonly number[];
  readonly stride: number;
  readonly pad: number;
  private readonly inputShape: readonly number[];
  /** One set of buffers per mode, so that an evaluation pass never overwrites what a training pass made. */
  private readonly trainPass: Pass = { x: undefined, out: undefined };
  private readonly evalPass: Pass = { x: undefined, out: undefined };
  /** The pass backward differentiates: the last forward's. */
  private last: Pass | undefined;
  private xShape: readonly number[] = [];
  private inputDtype: DType = 'float64';
  private dx: Tensor | undefined;

  constructor(W: Tensor, b: Tensor, opts: Conv2dOptions) {
    const { inputShape, stride = 1, pad = 0 } = opts;
    if (W.ndim !== 4) throw new ShapeError('conv2d', [W.shape], `W must be 4-D [filters, channels, height, width], got ${formatShape(W.shape)}`);
    const [filters, channels, fh, fw] = W.shape as [number, number, number, number];
    if (!sameShape(b.shape, [filters])) {
      throw new ShapeError(
        'conv2d',
        [W.shape, b.shape],
        `b must have shape [${filters}], one bias per filter of W ${formatShape(W.shape)}, got ${formatShape(b.shape)}`,
      );
    }
    if (W.dtype !== b.dtype) throw new TypeError(`conv2d: W is ${W.dtype} but b is ${b.dtype}; give both one dtype`);
    if (!Number.isSafeInteger(stride) || stride < 1) throw new RangeError(`conv2d: stride must be a whole number >= 1, got ${formatValue(stride)}`);
    if (!Number.isSafeInteger(pad) || pad < 0) throw new RangeError(`conv2d: pad must be a whole number >= 0, got ${formatValue(pad)}`);
    const [c, h, w] = imageShape(inputShape);
    if (c !== channels) {
      throw new ShapeError('conv2d', [inputShape, W.shape], `the input has ${c} channels but W ${formatShape(W.shape)} takes ${channels}`);
    }
    const oh = convOutputSize(h, fh, stride, pad);
    const ow = convOutputSize(w, fw, stride, pad);
    if (oh < 1 || ow < 1) {
      throw new ShapeError('conv2d', [inputShape, W.shape], `a ${fh}×${fw} filter does not fit the input padded by ${pad} (${h + 2 * pad}×${w + 2 * pad})`);
    }
    this.params = Object.freeze({ W, b });
    this.grads = Object.freeze({ W: zeros(W.shape, W.dtype, { kernel: true }), b: zeros(b.shape, b.dtype, { kernel: true }) });
    this.inputShape = Object.freeze([c, h, w]);
    this.outputShape = Object.freeze([filters, oh, ow]);
    this.stride = stride;
    this.pad = pad;
  }

  forward(x: Tensor, ctx?: ForwardContext): Tensor {
    const { W, b } = this.params;
    const filters = W.shape[0]!;
    if (x.ndim !== 4 || !sameShape(x.shape.slice(1), this.inputShape)) {
      const fix =
        x.ndim === 4
          ? `give x the shape [batch, ${this.inputShape.join(', ')}] or create the layer with the matching inputShape`
          : `give x the shape [batch, ${this.inputShape.join(', ')}]: a network does when its spec has "inputShape": [${this.inputShape.join(', ')}]`;
      throw new ShapeError('conv2d', [x.shape, W.shape], `x ${formatShape(x.shape)} is not a batch of [${this.inputShape.join(', ')}] images; ${fix}`);
    }
    const [, oh, ow] = this.outputShape as [number, number, number];
    const batch = x.shape[0]!;
    const pass = ctx?.train === true ? this.trainPass : this.evalPass;
    // 7.4.3: every window of x as one column, and every filter on every window at once, + b.
    const input = x.dtype === W.dtype ? x : x.astype(W.dtype);
    const out = reuse(pass.out, [batch, filters, oh, ow], W.dtype);
    convolve(input, W, b, { stride: this.stride, pad: this.pad, out });
    pass.x = input;
    pass.out = out;
    this.last = pass;
    this.xShape = x.shape;
    this.inputDtype = x.dtype;
    return out;
  }

  backward(dout: Tensor, ctx?: BackwardContext): Tensor {
    const pass = this.last;
    if (pass === undefined || pass.x === undefined) throw new Error('conv2d: backward was called before forward');
    const { W } = this.params;
    const filters = W.shape[0]!;
    const [, oh, ow] = this.outputShape as [number, number, number];
    const expected = [this.xShape[0]!, filters, oh, ow];
    if (!sameShape(dout.shape, expected)) {
      throw new ShapeError(
        'conv2d.backward',
        [dout.shape, expected],
        `dout ${formatShape(dout.shape)} must have the forward output's shape ${formatShape(expected)}`,
      );
    }
    const d = dout.dtype === W.dtype ? dout : dout.astype(W.dtype);
    // 7.4.3 (as 5.6.2): dW = Σ dout · colsᵀ over the samples, db = Σ dout over every position of every sample.
    conv2dFilterGrad(d, pass.x, this.grads.W, this.grads.b, { stride: this.stride, pad: this.pad });
    if (ctx?.inputGradient === false) return EMPTY;
    // dcol = Wᵀ · dout, then col2im, adding up where windows overlap.
    const dx = reuse(this.dx, this.xShape, W.dtype);
    this.dx = dx;
    conv2dInputGrad(d, W, this.xShape, { stride: this.stride, pad: this.pad, out: dx });
    return dx.dtype === this.inputDtype ? dx : dx.astype(this.inputDtype);
  }
}

/** What backward returns when asked for no input gradient. */
const EMPTY = new Tensor(new Float64Array(0), [0]);

/** An image sample shape [channels, height, width], or a ShapeError that says what to give. */
function imageShape(inputShape: readonly number[]): [number, number, number] {
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || inputShape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new ShapeError(
      'conv2d',
      Array.isArray(inputShape) ? [inputShape] : [],
      `inputShape must be an image [channels, height, width] (one sample, no batch axis), got ${formatValue(inputShape)}; ` +
        'give the spec an inputShape such as [1, 28, 28]',
    );
  }
  return inputShape as [number, number, number];
}

/** 7.4: the filters, their size, the stride, the padding and the scale of the initial W. */
const conv2dConfig = layerConfig<Conv2dConfig>(
  'conv2d',
  {
    filters: required(wholeNumber({ min: 1 }), 'number of filters (output channels)'),
    size: required(wholeNumber({ min: 1 }), 'height and width of each square filter'),
    stride: optional(wholeNumber({ min: 1 }), 'step between neighbouring windows', { default: 1 }),
    pad: optional(wholeNumber({ min: 0 }), 'zeros added on every side of the input', { default: 0 }),
    weightInitStd: optional(
      anyOf(number({ gt: 0 }), oneOf(['xavier', 'he'])),
      'std of the initial W (√(1/n) for "xavier", √(2/n) for "he", n = channels·size²)',
      { default: 0.01 },
    ),
  },
  // Chapter 8's first layer: small enough for `dlfs check-layer` to try on [1, 28, 28] in seconds (SimpleConvNet's 30 of 5×5 takes 20).
  '{ "filters": 16, "size": 3, "pad": 1 }',
);

/** The config with its defaults and the output size on inputShape, or an error naming the field (or inputShape) to change. */
function plan(config: Conv2dConfig, inputShape: readonly number[]) {
  const full = conv2dConfig.withDefaults(conv2dConfig.validate(config));
  const { size, stride = 1, pad = 0 } = full;
  const [c, h, w] = imageShape(inputShape);
  const oh = convOutputSize(h, size, stride, pad);
  const ow = convOutputSize(w, size, stride, pad);
  if (oh < 1 || ow < 1) {
    throw new LayerConfigError(
      'conv2d',
      'size',
      `a filter of "size" ${size} does not fit the input [${c}, ${h}, ${w}] padded by ${pad} (${h + 2 * pad}×${w + 2 * pad}); ` +
        `give a "size" of at most ${Math.min(h, w) + 2 * pad} or a larger "pad"`,
    );
  }
  return { ...full, stride, pad, channels: c, oh, ow };
}

export const conv2d: LayerDef<Conv2dConfig> = Object.freeze({
  type: 'conv2d',
  description: 'Convolution (7.4) by im2col and one matmul: [batch, C, H, W] → [batch, filters, OH, OW], OH = (H + 2·pad − size) / stride + 1.',
  config: conv2dConfig,
  configFields: conv2dConfig.describe(),
  capabilities: Object.freeze({ weightInit: 'weightInitStd', weightDecay: Object.freeze(['W']) }),
  validate: (config: unknown) => conv2dConfig.validate(config),
  /** W ~ std · N(0, 1) with shape [filters, C, size, size], b = 0, both in ctx.dtype (float64 when not given). */
  create(config: Conv2dConfig, ctx: CreateContext): Layer {
    const { filters, size, stride, pad, weightInitStd = 0.01, channels } = plan(config, ctx.inputShape);
    const fanIn = channels * size * size;
    const std = weightInitStd === 'xavier' ? Math.sqrt(1 / fanIn) : weightInitStd === 'he' ? Math.sqrt(2 / fanIn) : weightInitStd;
    const dtype = ctx.dtype ?? 'float64';
    // Parameters live where the kernels update them in place (the WASM arena for float32).
    const W = toKernel(randn([filters, channels, size, size], ctx.rng, { std, dtype }));
    return new Conv2d(W, zeros([filters], dtype, { kernel: true }), { inputShape: ctx.inputShape, stride, pad });
  },
  /** What create makes, without making it: W [filters, C, size, size], b [filters], output [filters, OH, OW]. */
  shapes(config: Conv2dConfig, inputShape: readonly number[]) {
    const { filters, size, channels, oh, ow } = plan(config, inputShape);
    return { outputShape: [filters, oh, ow], params: { W: [filters, channels, size, size], b: [filters] } };
  },
  /** ONNX: Conv (NCHW, W as [filters, C, fh, fw], the same layout) with the layer's stride and zero padding on every side. */
  onnx(layer: Layer, ctx: OnnxLayerContext<Conv2dConfig>): string {
    const { params, stride, pad } = layer as Conv2d;
    const { W, b } = params;
    // 7.4: y[n, f] = Σ_c W[f, c] ⋆ x[n, c] + b[f]
    return ctx.node('Conv', [ctx.input, ctx.constant('W', W.data, W.shape), ctx.constant('b', b.data, b.shape)], {
      kernel_shape: W.shape.slice(2),
      strides: [stride, stride],
      pads: [pad, pad, pad, pad],
    });
  },
});
