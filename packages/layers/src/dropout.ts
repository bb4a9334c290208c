import { number, optional } from '@dlfs/core';
import { dropoutMask, formatShape, multiplyInto, type Rng, reuse, sameShape, ShapeError, scaleInto, Tensor } from '@dlfs/tensor';
import { layerConfig } from './layer-config.js';
import type { BackwardContext, CreateContext, ForwardContext, Layer, LayerDef, OnnxLayerContext } from './layer.js';

export type DropoutConfig = {
  /** The share of units dropped in a training pass: 0.5 when not given, as in the book. */
  ratio?: number;
};

/** What backward returns when asked for no input gradient. */
const EMPTY = new Tensor(new Float64Array(0), [0]);

/**
 * 6.4.3 Dropout, the book's way (not inverted dropout). Training: a mask of rng.uniform() > ratio
 * per element, drawn from the pass's rng (the Rng of create when the pass brings none), and
 * y = x · mask, dx = dout · mask. Evaluation: every unit is kept and scaled by what training keeps,
 * y = x · (1 − ratio), dx = dout · (1 − ratio). Output and dx keep the dtype of x and dout.
 */
export class Dropout implements Layer {
  readonly params: Readonly<Record<string, Tensor>> = Object.freeze({});
  readonly grads: Readonly<Record<string, Tensor>> = Object.freeze({});
  readonly outputShape: readonly number[];
  readonly ratio: number;
  /** The Rng of create: drawn from only by a training pass that brings no rng. */
  private readonly rng: Rng;
  /** The last training pass's mask, 1 kept and 0 dropped, in x's shape and dtype. */
  private mask: Tensor | undefined;
  /** The shape of the last forward's input and whether it was a training pass: what backward reads. */
  private shape: readonly number[] | undefined;
  private train = false;
  private outTrain: Tensor | undefined;
  private outEval: Tensor | undefined;
  private dx: Tensor | undefined;

  /** `inputShape` is the shape of one sample; dropout keeps it. */
  constructor(ratio: number, rng: Rng, inputShape: readonly number[]) {
    if (!(ratio >= 0 && ratio < 1)) throw new RangeError(`dropout: ratio must be a number >= 0 and < 1, got ${ratio}`);
    this.ratio = ratio;
    this.rng = rng;
    this.outputShape = Object.freeze([...inputShape]);
  }

  forward(x: Tensor, ctx?: ForwardContext): Tensor {
    const train = ctx?.train ?? false;
    const out = reuse(train ? this.outTrain : this.outEval, x.shape, x.dtype);
    if (train) this.outTrain = out;
    else this.outEval = out;
    if (train) {
      // 6.4.3: the book's np.random.rand(*x.shape) > dropout_ratio, element by element in row-major order
      const mask = reuse(this.mask, x.shape, x.dtype);
      this.mask = mask;
      dropoutMask(x, this.ratio, ctx?.rng ?? this.rng, { mask, out });
    } else {
      // 6.4.3: evaluation keeps every unit, scaled by the share training keeps
      scaleInto(x, 1 - this.ratio, out);
    }
    this.shape = x.shape;
    this.train = train;
    return out;
  }

  /** dx = dout · mask after a training pass, dout · (1 − ratio) after an evaluation pass. */
  backward(dout: Tensor, ctx?: BackwardContext): Tensor {
    const shape = this.shape;
    if (shape === undefined) throw new Error('dropout: backward was called before forward');
    if (!sameShape(dout.shape, shape)) {
      throw new ShapeError(
        'dropout.backward',
        [dout.shape, shape],
        `dout ${formatShape(dout.shape)} must have the shape of the forward input ${formatShape(shape)}`,
      );
    }
    if (ctx?.inputGradient === false) return EMPTY;
    const mask = this.train ? this.mask : undefined;
    const dx = reuse(this.dx, dout.shape, dout.dtype);
    this.dx = dx;
    if (mask === undefined) scaleInto(dout, 1 - this.ratio, dx);
    else if (mask.dtype === dout.dtype) multiplyInto(dout, mask, dx);
    else multiplyInto(dout, mask.astype(dout.dtype), dx);
    return dx;
  }
}

/** 6.4.3: the share of units dropped. */
const dropoutConfig = layerConfig<DropoutConfig>(
  'dropout',
  { ratio: optional(number({ ge: 0, lt: 1 }), 'share of units dropped in training (evaluation scales by 1 − ratio)', { default: 0.5 }) },
  '{ "ratio": 0.5 }',
);

export const dropout: LayerDef<DropoutConfig> = Object.freeze({
  type: 'dropout',
  description: 'Dropout (6.4.3): training keeps each unit where uniform() > ratio, evaluation scales by 1 − ratio; keeps the input shape.',
  config: dropoutConfig,
  configFields: dropoutConfig.describe(),
  capabilities: Object.freeze({ random: true }),
  validate: (config: unknown): DropoutConfig => dropoutConfig.validate(config),
  /** No params; masks come from each training pass's rng, or ctx.rng here when a pass has none. */
  create(config: DropoutConfig, ctx: CreateContext): Layer {
    const { ratio = 0.5 } = dropoutConfig.withDefaults(dropoutConfig.validate(config));
    return new Dropout(ratio, ctx.rng, ctx.inputShape);
  },
  /** No params; the output keeps the input's shape. */
  shapes(config: DropoutConfig, inputShape: readonly number[]) {
    dropoutConfig.validate(config);
    return { outputShape: [...inputShape], params: {} };
  },
  /** ONNX: Mul by 1 − ratio, the book's evaluation pass (not ONNX's Dropout, which is inverted dropout and the identity at inference). */
  onnx(layer: Layer, ctx: OnnxLayerContext<DropoutConfig>): string {
    // 6.4.3: evaluation keeps every unit, scaled by the share training keeps
    return ctx.node('Mul', [ctx.input, ctx.constant('keep', [1 - (layer as Dropout).ratio], [])]);
  },
});
