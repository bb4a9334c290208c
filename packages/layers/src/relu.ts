import { formatShape, sameShape, ShapeError, type Tensor } from '@dlfs/tensor';
import { reuse } from './buffer.js';
import { checkConfigObject } from './config-check.js';
import type { CreateContext, ForwardContext, Layer, LayerDef } from './layer.js';

/** ReLU takes no config. */
export type ReluConfig = Record<string, never>;

/**
 * 5.5.1 ReLU: y = x where x > 0, else 0; so ∂y/∂x = 1 where x > 0, else 0.
 * Like the book, the mask is x <= 0, so the gradient at exactly 0 is 0.
 */
export class Relu implements Layer {
  readonly params: Readonly<Record<string, Tensor>> = Object.freeze({});
  readonly grads: Readonly<Record<string, Tensor>> = Object.freeze({});
  readonly outputShape: readonly number[];
  /** 1 where the forward input was <= 0: the book's `self.mask`. */
  private mask: Uint8Array | undefined;
  private inputShape: readonly number[] | undefined;
  private maskTrain: Uint8Array | undefined;
  private maskEval: Uint8Array | undefined;
  private outTrain: Tensor | undefined;
  private outEval: Tensor | undefined;
  private dx: Tensor | undefined;

  /** `inputShape` is the shape of one sample; ReLU keeps it. */
  constructor(inputShape: readonly number[]) {
    this.outputShape = Object.freeze([...inputShape]);
  }

  forward(x: Tensor, ctx?: ForwardContext): Tensor {
    const train = ctx?.train ?? false;
    // One mask per mode, like the output buffers; backward uses the last forward's.
    let mask = train ? this.maskTrain : this.maskEval;
    if (mask === undefined || mask.length !== x.size) mask = new Uint8Array(x.size);
    if (train) this.maskTrain = mask;
    else this.maskEval = mask;
    this.mask = mask;
    const out = reuse(train ? this.outTrain : this.outEval, x.shape, x.dtype);
    if (train) this.outTrain = out;
    else this.outEval = out;
    const X = x.data;
    const O = out.data;
    for (let i = 0; i < X.length; i++) {
      const v = X[i]!;
      if (v <= 0) {
        mask[i] = 1;
        O[i] = 0;
      } else {
        mask[i] = 0;
        O[i] = v;
      }
    }
    this.inputShape = x.shape;
    return out;
  }

  /** The branch of each element in the last forward: 1 where x <= 0 (the mask), 0 where x > 0. */
  kinkSignature(): Uint8Array {
    return this.mask ?? new Uint8Array(0);
  }

  /** 5.5.1: dx = dout where x > 0, else 0. Writes a new tensor; the book zeroes dout in place. */
  backward(dout: Tensor): Tensor {
    if (this.mask === undefined || this.inputShape === undefined) {
      throw new Error('relu: backward was called before forward');
    }
    if (!sameShape(dout.shape, this.inputShape)) {
      throw new ShapeError('relu.backward', [dout.shape, this.inputShape], `dout ${formatShape(dout.shape)} must have the shape of the forward input ${formatShape(this.inputShape)}`);
    }
    const dx = (this.dx = reuse(this.dx, dout.shape, dout.dtype));
    const D = dout.data;
    const DX = dx.data;
    const mask = this.mask;
    for (let i = 0; i < D.length; i++) DX[i] = mask[i] === 0 ? D[i]! : 0;
    return dx;
  }
}

export const relu: LayerDef<ReluConfig> = Object.freeze({
  type: 'relu',
  description: 'ReLU activation (5.5.1): y = max(0, x) element-wise; keeps the input shape.',
  configFields: Object.freeze({}),
  validate(config: unknown): ReluConfig {
    checkConfigObject('relu', config, [], '{}');
    return {};
  },
  create(_config: ReluConfig, ctx: CreateContext): Layer {
    return new Relu(ctx.inputShape);
  },
});
