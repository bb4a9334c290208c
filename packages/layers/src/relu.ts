import { formatShape, relu as reluKernel, reluBackward, reuse, sameShape, ShapeError, type Tensor } from '@dlfs/tensor';
import { layerConfig } from './layer-config.js';
import type { CreateContext, ForwardContext, Layer, LayerDef, OnnxLayerContext } from './layer.js';

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
  /** The last forward's output, which backward reads as the mask. */
  private out: Tensor | undefined;
  private outTrain: Tensor | undefined;
  private outEval: Tensor | undefined;
  private dx: Tensor | undefined;

  /** `inputShape` is the shape of one sample; ReLU keeps it. */
  constructor(inputShape: readonly number[]) {
    this.outputShape = Object.freeze([...inputShape]);
  }

  forward(x: Tensor, ctx?: ForwardContext): Tensor {
    const train = ctx?.train ?? false;
    const out = reuse(train ? this.outTrain : this.outEval, x.shape, x.dtype);
    if (train) this.outTrain = out;
    else this.outEval = out;
    // 5.5.1: y = x where x > 0, else 0. The output doubles as the book's mask: y > 0 exactly where x > 0.
    reluKernel(x, out);
    this.out = out;
    return out;
  }

  /** The branch of each element in the last forward: 1 where x <= 0 (the book's mask), 0 where x > 0. */
  kinkSignature(): Uint8Array {
    const Y = this.out?.data;
    const mask = new Uint8Array(Y?.length ?? 0);
    for (let i = 0; i < mask.length; i++) mask[i] = Y![i]! > 0 ? 0 : 1;
    return mask;
  }

  /** 5.5.1: dx = dout where x > 0, else 0. Writes its own buffer; the book zeroes dout in place. */
  backward(dout: Tensor): Tensor {
    const out = this.out;
    if (out === undefined) throw new Error('relu: backward was called before forward');
    if (!sameShape(dout.shape, out.shape)) {
      throw new ShapeError(
        'relu.backward',
        [dout.shape, out.shape],
        `dout ${formatShape(dout.shape)} must have the shape of the forward input ${formatShape(out.shape)}`,
      );
    }
    const dx = reuse(this.dx, dout.shape, dout.dtype);
    this.dx = dx;
    return reluBackward(dout, out, dx);
  }
}

const reluConfig = layerConfig<ReluConfig>('relu', {}, '{}');
/**
 * Its output is 0 exactly where a unit is off, and its mask is a kink; max(0, ·) commutes with a
 * window's max, gradients included (its gradient is 0 wherever it maps two inputs to one output).
 */
const CAPABILITIES = Object.freeze({ deadUnits: true, kinks: true, commutesWithMax: true });

export const relu: LayerDef<ReluConfig> = Object.freeze({
  type: 'relu',
  description: 'ReLU activation (5.5.1): y = max(0, x) element-wise; keeps the input shape.',
  config: reluConfig,
  configFields: reluConfig.describe(),
  capabilities: CAPABILITIES,
  validate: (config: unknown): ReluConfig => reluConfig.validate(config),
  create(_config: ReluConfig, ctx: CreateContext): Layer {
    return new Relu(ctx.inputShape);
  },
  /** No params; the output keeps the input's shape. */
  shapes: (_config: ReluConfig, inputShape: readonly number[]) => ({ outputShape: [...inputShape], params: {} }),
  /** ONNX: Relu, max(0, x). */
  onnx: (_layer: Layer, ctx: OnnxLayerContext<ReluConfig>): string => ctx.node('Relu', [ctx.input]),
});
