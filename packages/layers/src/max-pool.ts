import { formatValue, optional, required, wholeNumber } from '@dlfs/core';
import { convOutputSize, formatShape, maxPool2d, maxPool2dBackward, reuse, sameShape, ShapeError, type Tensor } from '@dlfs/tensor';
import { LayerConfigError, layerConfig } from './layer-config.js';
import type { CreateContext, ForwardContext, Layer, LayerDef, OnnxLayerContext } from './layer.js';

export type MaxPoolConfig = {
  /** Height and width of each (square) window. */
  size: number;
  /** Step between neighbouring windows; `size` when not given (windows side by side, as the book's 2×2 pooling). */
  stride?: number;
};

/** The buffers of one mode (train or not): the output and, for backward, where each maximum was. */
interface Pass {
  out: Tensor | undefined;
  /** For every output element, its window's maximum's position in the window, ky·size + kx: the book's `self.arg_max`. */
  at: Tensor | undefined;
}

/**
 * 7.3 Max pooling: y[n, c, oy, ox] is the largest x[n, c, oy·stride + ky, ox·stride + kx] over the
 * size × size window, channel by channel; no params. Input [N, C, H, W], output [N, C, OH, OW]
 * with OH = (H − size) / stride + 1 rounded down, as the book (rows and columns the stride
 * cannot reach are left out). The gradient of a max flows to the element that was the maximum;
 * among equal values the first in the window, row by row (the book's np.argmax), and where
 * windows overlap (stride < size) an element collects the gradient of every window it won.
 * A NaN in a window is its maximum, as np.max has it.
 *
 * Computed by a direct loop over the windows (maxPool2d of @dlfs/tensor) rather than the book's
 * im2col: it keeps no [N·C·OH·OW, size²] copy of x, and the maximum's position, which backward
 * needs, falls out of the loop, so backward is a scatter with no col2im.
 */
export class MaxPool implements Layer {
  readonly params: Readonly<Record<string, Tensor>> = Object.freeze({});
  readonly grads: Readonly<Record<string, Tensor>> = Object.freeze({});
  readonly outputShape: readonly number[];
  readonly size: number;
  readonly stride: number;
  private readonly inputShape: readonly number[];
  /** One set of buffers per mode, so that an evaluation pass never overwrites what a training pass made. */
  private readonly trainPass: Pass = { out: undefined, at: undefined };
  private readonly evalPass: Pass = { out: undefined, at: undefined };
  /** The pass backward differentiates: the last forward's. */
  private last: Pass | undefined;
  private xShape: readonly number[] = [];
  private dx: Tensor | undefined;

  /** `inputShape` is one sample [channels, height, width]; `stride` defaults to `size`. */
  constructor(inputShape: readonly number[], size: number, stride: number = size) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`max-pool: size must be a whole number >= 1, got ${formatValue(size)}`);
    if (!Number.isSafeInteger(stride) || stride < 1) throw new RangeError(`max-pool: stride must be a whole number >= 1, got ${formatValue(stride)}`);
    const [c, h, w] = imageShape(inputShape);
    const oh = convOutputSize(h, size, stride);
    const ow = convOutputSize(w, size, stride);
    if (oh < 1 || ow < 1) throw new ShapeError('max-pool', [inputShape], `a ${size}×${size} window does not fit a ${h}×${w} input`);
    this.inputShape = Object.freeze([c, h, w]);
    this.outputShape = Object.freeze([c, oh, ow]);
    this.size = size;
    this.stride = stride;
  }

  forward(x: Tensor, ctx?: ForwardContext): Tensor {
    if (x.ndim !== 4 || !sameShape(x.shape.slice(1), this.inputShape)) {
      const fix =
        x.ndim === 4
          ? `give x the shape [batch, ${this.inputShape.join(', ')}] or create the layer with the matching inputShape`
          : `give x the shape [batch, ${this.inputShape.join(', ')}]: a network does when its spec has "inputShape": [${this.inputShape.join(', ')}]`;
      throw new ShapeError('max-pool', [x.shape], `x ${formatShape(x.shape)} is not a batch of [${this.inputShape.join(', ')}] images; ${fix}`);
    }
    const [channels] = this.inputShape as [number, number, number];
    const [, oh, ow] = this.outputShape as [number, number, number];
    const pass = ctx?.train === true ? this.trainPass : this.evalPass;
    const shape = [x.shape[0]!, channels, oh, ow];
    const out = reuse(pass.out, shape, x.dtype);
    const at = reuse(pass.at, shape, x.dtype);
    maxPool2d(x, this.size, this.stride, { out, at });
    pass.out = out;
    pass.at = at;
    this.last = pass;
    this.xShape = x.shape;
    return out;
  }

  /**
   * Which window position won, for every output of the last forward, one-hot: entry
   * o·size² + ky·size + kx is 1 when x[oy·stride + ky, ox·stride + kx] was output o's maximum.
   * A finite step that changes a winner (crosses a tie) changes it, so a gradient check reports
   * the step as a kink crossing. One-hot because a check compares signatures entry by entry as
   * booleans, which would not tell winner 1 from winner 2.
   */
  kinkSignature(): Uint8Array {
    const at = this.last?.at;
    const window = this.size * this.size;
    const outputs = this.last?.out?.size ?? 0;
    const signature = new Uint8Array(outputs * window);
    if (at !== undefined) for (let o = 0; o < outputs; o++) signature[o * window + at.data[o]!] = 1;
    return signature;
  }

  /** 7.3: dx[argmax] = dout for every window, summed where windows overlap; 0 at every other element. */
  backward(dout: Tensor): Tensor {
    const pass = this.last;
    if (pass?.out === undefined || pass.at === undefined) throw new Error('max-pool: backward was called before forward');
    if (!sameShape(dout.shape, pass.out.shape)) {
      throw new ShapeError(
        'max-pool.backward',
        [dout.shape, pass.out.shape],
        `dout ${formatShape(dout.shape)} must have the forward output's shape ${formatShape(pass.out.shape)}`,
      );
    }
    const d = dout.dtype === pass.at.dtype ? dout : dout.astype(pass.at.dtype);
    const dx = reuse(this.dx, this.xShape, pass.at.dtype);
    this.dx = dx;
    maxPool2dBackward(d, pass.at, this.xShape, this.size, this.stride, dx);
    return dx;
  }
}

/** An image sample shape [channels, height, width], or a ShapeError that says what to give. */
function imageShape(inputShape: readonly number[]): [number, number, number] {
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || inputShape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new ShapeError(
      'max-pool',
      Array.isArray(inputShape) ? [inputShape] : [],
      `inputShape must be an image [channels, height, width] (one sample, no batch axis), got ${formatValue(inputShape)}; ` +
        'give the spec an inputShape such as [1, 28, 28]',
    );
  }
  return inputShape as [number, number, number];
}

/** 7.3: the window size and the stride (the window size unless given). */
const maxPoolConfig = layerConfig<MaxPoolConfig>(
  'max-pool',
  {
    size: required(wholeNumber({ min: 1 }), 'height and width of each square window'),
    stride: optional(wholeNumber({ min: 1 }), 'step between neighbouring windows (default: "size")'),
  },
  '{ "size": 2 }',
);

/** The config with its stride and the output size on inputShape, or an error naming the field (or inputShape) to change. */
function plan(config: MaxPoolConfig, inputShape: readonly number[]) {
  const { size, stride = size } = maxPoolConfig.validate(config);
  const [c, h, w] = imageShape(inputShape);
  const oh = convOutputSize(h, size, stride);
  const ow = convOutputSize(w, size, stride);
  if (oh < 1 || ow < 1) {
    throw new LayerConfigError(
      'max-pool',
      'size',
      `a window of "size" ${size} does not fit the input [${c}, ${h}, ${w}]; give a "size" of at most ${Math.min(h, w)}`,
    );
  }
  return { size, stride, channels: c, oh, ow };
}

/**
 * Its windows' winners are kinks: a step that changes one is not a derivative. Each output is its
 * window's max and its gradient goes to the window's first maximum.
 */
const CAPABILITIES = Object.freeze({ kinks: true, windowMax: true });

export const maxPool: LayerDef<MaxPoolConfig> = Object.freeze({
  type: 'max-pool',
  description: 'Max pooling (7.3): the largest value of each size×size window, per channel; [batch, C, H, W] → [batch, C, OH, OW].',
  config: maxPoolConfig,
  configFields: maxPoolConfig.describe(),
  capabilities: CAPABILITIES,
  validate: (config: unknown): MaxPoolConfig => maxPoolConfig.validate(config),
  create(config: MaxPoolConfig, ctx: CreateContext): Layer {
    const { size, stride } = plan(config, ctx.inputShape);
    return new MaxPool(ctx.inputShape, size, stride);
  },
  /** No params; the output [C, OH, OW]. */
  shapes(config: MaxPoolConfig, inputShape: readonly number[]) {
    const { channels, oh, ow } = plan(config, inputShape);
    return { outputShape: [channels, oh, ow], params: {} };
  },
  /** ONNX: MaxPool without padding, rounding down (ceil_mode 0) as forward leaves out what the stride cannot reach. */
  onnx(layer: Layer, ctx: OnnxLayerContext<MaxPoolConfig>): string {
    const { size, stride } = layer as MaxPool;
    return ctx.node('MaxPool', [ctx.input], { kernel_shape: [size, size], strides: [stride, stride] });
  },
});
