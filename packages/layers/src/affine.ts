import { addBias, type DType, formatShape, matmul, randn, reuse, sameShape, ShapeError, shapeSize, sum, Tensor, toKernel, zeros } from '@dlfs/tensor';
import { anyOf, formatValue, number, oneOf, optional, required, wholeNumber } from '@dlfs/core';
import { layerConfig } from './layer-config.js';
import type { BackwardContext, CreateContext, ForwardContext, Layer, LayerDef, OnnxLayerContext } from './layer.js';

export type AffineConfig = {
  /** Number of outputs (neurons). */
  units: number;
  /**
   * Standard deviation of the initial W: a number (0.01 when not given, as in the book),
   * 'xavier' for √(1/n) or 'he' for √(2/n), where n is the input size.
   */
  weightInitStd?: number | 'xavier' | 'he';
};

/**
 * 5.6.2 Affine: Y = X · W + B. An N-D input [batch, ...] is flattened to [batch, features]
 * (the book's `x.reshape(x.shape[0], -1)`) and dx comes back in the input's shape.
 * Output, params and grads have W's dtype; dx has the dtype of the forward input.
 */
export class Affine implements Layer {
  readonly params: Readonly<{ W: Tensor; b: Tensor }>;
  /** Allocated once; every backward overwrites them. */
  readonly grads: Readonly<{ W: Tensor; b: Tensor }>;
  readonly outputShape: readonly number[];
  /** The forward input as [batch, features] in W's dtype. */
  private x: Tensor | undefined;
  private inputShape: readonly number[] = [];
  private inputDtype: DType = 'float64';
  /** Output buffers, one per mode so evaluation batches never evict the training one. */
  private outTrain: Tensor | undefined;
  private outEval: Tensor | undefined;
  private dx: Tensor | undefined;

  /** W has shape [inputSize, units], b shape [units], both of one dtype. */
  constructor(W: Tensor, b: Tensor) {
    if (W.ndim !== 2) throw new ShapeError('affine', [W.shape], `W must be 2-D [inputSize, units], got ${formatShape(W.shape)}`);
    if (!sameShape(b.shape, [W.shape[1]!])) {
      throw new ShapeError('affine', [W.shape, b.shape], `b must have shape [${W.shape[1]}] to match W ${formatShape(W.shape)}, got ${formatShape(b.shape)}`);
    }
    if (W.dtype !== b.dtype) throw new TypeError(`affine: W is ${W.dtype} but b is ${b.dtype}; give both one dtype`);
    this.params = Object.freeze({ W, b });
    this.grads = Object.freeze({ W: zeros(W.shape, W.dtype, { kernel: true }), b: zeros(b.shape, b.dtype, { kernel: true }) });
    this.outputShape = Object.freeze([W.shape[1]!]);
  }

  forward(x: Tensor, ctx?: ForwardContext): Tensor {
    const { W, b } = this.params;
    const inputSize = W.shape[0]!;
    if (x.ndim === 0) throw new ShapeError('affine', [x.shape, W.shape], 'x must have a batch axis: [batch, ...]');
    const batch = x.shape[0]!;
    const features = x.ndim === 2 ? x.shape[1]! : shapeSize(x.shape.slice(1));
    if (features !== inputSize) {
      throw new ShapeError(
        'affine',
        [x.shape, W.shape],
        `x ${formatShape(x.shape)} has ${features} features per sample but W ${formatShape(W.shape)} takes ${inputSize}; ` +
          `give x the shape [batch, ${inputSize}] or create the layer with the matching inputShape`,
      );
    }
    const xw = x.astype(W.dtype);
    const x2d = xw.ndim === 2 ? xw : xw.reshape([batch, inputSize]);
    const units = W.shape[1]!;
    const train = ctx?.train ?? false;
    const out = reuse(train ? this.outTrain : this.outEval, [batch, units], W.dtype);
    if (train) this.outTrain = out;
    else this.outEval = out;
    // 5.6.2: Y = X · W + B (B broadcasts over the batch)
    matmul(x2d, W, { out });
    addBias(out, b, out);
    this.x = x2d;
    this.inputShape = x.shape;
    this.inputDtype = x.dtype;
    return out;
  }

  backward(dout: Tensor, ctx?: BackwardContext): Tensor {
    const x = this.x;
    if (x === undefined) throw new Error('affine: backward was called before forward');
    const { W } = this.params;
    const { W: dW, b: db } = this.grads;
    const expected = [x.shape[0]!, W.shape[1]!];
    if (!sameShape(dout.shape, expected)) {
      throw new ShapeError(
        'affine.backward',
        [dout.shape, expected],
        `dout ${formatShape(dout.shape)} must have the forward output's shape ${formatShape(expected)}`,
      );
    }
    const d = dout.astype(W.dtype);
    // 5.6.2: dW = xᵀ · dout
    matmul(x, d, { transA: true, out: dW });
    // 5.6.2: db = Σ dout over the batch axis
    sum(d, 0, { out: db });
    if (ctx?.inputGradient === false) return EMPTY;
    // 5.6.2: dx = dout · Wᵀ
    const dx = reuse(this.dx, x.shape, W.dtype);
    this.dx = dx;
    matmul(d, W, { transB: true, out: dx });
    const shaped = this.inputShape.length === 2 ? dx : dx.reshape(this.inputShape);
    return shaped.astype(this.inputDtype);
  }
}

/** What backward returns when asked for no input gradient. */
const EMPTY = new Tensor(new Float64Array(0), [0]);

/** 5.6.2 and 6.2: the units, and the scale of the initial W. */
const affineConfig = layerConfig<AffineConfig>(
  'affine',
  {
    units: required(wholeNumber({ min: 1 }), 'number of outputs'),
    weightInitStd: optional(anyOf(number({ gt: 0 }), oneOf(['xavier', 'he'])), 'std of the initial W (√(1/n) for "xavier", √(2/n) for "he", n inputs)', {
      default: 0.01,
    }),
  },
  '{ "units": 50 }',
);

function inputSizeOf(inputShape: readonly number[]): number {
  if (!Array.isArray(inputShape) || inputShape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new ShapeError('affine', [inputShape], `inputShape must list whole numbers >= 1 (one sample, no batch axis), got ${formatValue(inputShape)}`);
  }
  return shapeSize(inputShape);
}

export const affine: LayerDef<AffineConfig> = Object.freeze({
  type: 'affine',
  description: 'Fully connected layer (5.6.2): y = x · W + b; flattens [batch, ...] inputs.',
  config: affineConfig,
  configFields: affineConfig.describe(),
  capabilities: Object.freeze({ weightInit: 'weightInitStd', weightDecay: Object.freeze(['W']) }),
  validate: (config: unknown) => affineConfig.validate(config),
  /** W ~ std · N(0, 1) with shape [inputSize, units], b = 0, both in ctx.dtype (float64 when not given). */
  create(config: AffineConfig, ctx: CreateContext): Layer {
    const { units, weightInitStd = 0.01 } = affineConfig.withDefaults(affineConfig.validate(config));
    const inputSize = inputSizeOf(ctx.inputShape);
    const std = weightInitStd === 'xavier' ? Math.sqrt(1 / inputSize) : weightInitStd === 'he' ? Math.sqrt(2 / inputSize) : weightInitStd;
    const dtype = ctx.dtype ?? 'float64';
    // Parameters live where the kernels update them in place (the WASM arena for float32).
    const W = toKernel(randn([inputSize, units], ctx.rng, { std, dtype }));
    return new Affine(W, zeros([units], dtype, { kernel: true }));
  },
  /** What create makes, without making it: W [inputSize, units], b [units], output [units]. */
  shapes(config: AffineConfig, inputShape: readonly number[]) {
    const { units } = affineConfig.validate(config);
    return { outputShape: [units], params: { W: [inputSizeOf(inputShape), units], b: [units] } };
  },
  /** ONNX: Gemm(x, W, b), after Flatten(axis 1) for an N-D sample (forward's reshape to [batch, features]). */
  onnx(layer: Layer, ctx: OnnxLayerContext<AffineConfig>): string {
    const { W, b } = (layer as Affine).params;
    const x = ctx.inputShape.length === 1 ? ctx.input : ctx.node('Flatten', [ctx.input], { axis: 1 });
    // 5.6.2: Y = X · W + B
    return ctx.node('Gemm', [x, ctx.constant('W', W.data, W.shape), ctx.constant('b', b.data, b.shape)]);
  },
});
