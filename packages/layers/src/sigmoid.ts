import { formatShape, reuse, sameShape, ShapeError, type Tensor } from '@dlfs/tensor';
import { layerConfig } from './layer-config.js';
import type { CreateContext, ForwardContext, Layer, LayerDef, OnnxLayerContext } from './layer.js';

/** Sigmoid takes no config. */
export type SigmoidConfig = Record<string, never>;

/** 5.5.2 Sigmoid: y = 1 / (1 + exp(−x)); ∂y/∂x = y · (1 − y), so forward keeps y for backward. */
export class Sigmoid implements Layer {
  readonly params: Readonly<Record<string, Tensor>> = Object.freeze({});
  readonly grads: Readonly<Record<string, Tensor>> = Object.freeze({});
  readonly outputShape: readonly number[];
  /** The forward output y: the book's `self.out`. */
  private out: Tensor | undefined;
  private outTrain: Tensor | undefined;
  private outEval: Tensor | undefined;
  private dx: Tensor | undefined;

  /** `inputShape` is the shape of one sample; Sigmoid keeps it. */
  constructor(inputShape: readonly number[]) {
    this.outputShape = Object.freeze([...inputShape]);
  }

  forward(x: Tensor, ctx?: ForwardContext): Tensor {
    const train = ctx?.train ?? false;
    const out = reuse(train ? this.outTrain : this.outEval, x.shape, x.dtype);
    if (train) this.outTrain = out;
    else this.outEval = out;
    const X = x.data;
    const Y = out.data;
    // For very negative x, exp(−x) is Infinity and y is 0, never NaN.
    for (let i = 0; i < X.length; i++) Y[i] = 1 / (1 + Math.exp(-X[i]!));
    this.out = out;
    return out;
  }

  /** 5.5.2: dx = dout · (1 − y) · y. */
  backward(dout: Tensor): Tensor {
    const out = this.out;
    if (out === undefined) throw new Error('sigmoid: backward was called before forward');
    if (!sameShape(dout.shape, out.shape)) {
      throw new ShapeError(
        'sigmoid.backward',
        [dout.shape, out.shape],
        `dout ${formatShape(dout.shape)} must have the shape of the forward output ${formatShape(out.shape)}`,
      );
    }
    const dx = reuse(this.dx, dout.shape, dout.dtype);
    this.dx = dx;
    const D = dout.data;
    const Y = out.data;
    const DX = dx.data;
    for (let i = 0; i < D.length; i++) {
      const y = Y[i]!;
      DX[i] = D[i]! * (1 - y) * y;
    }
    return dx;
  }
}

const sigmoidConfig = layerConfig<SigmoidConfig>('sigmoid', {}, '{}');
export const sigmoid: LayerDef<SigmoidConfig> = Object.freeze({
  type: 'sigmoid',
  description: 'Sigmoid activation (5.5.2): y = 1 / (1 + exp(-x)) element-wise; keeps the input shape.',
  config: sigmoidConfig,
  configFields: sigmoidConfig.describe(),
  capabilities: Object.freeze({}),
  validate: (config: unknown): SigmoidConfig => sigmoidConfig.validate(config),
  create(_config: SigmoidConfig, ctx: CreateContext): Layer {
    return new Sigmoid(ctx.inputShape);
  },
  /** No params; the output keeps the input's shape. */
  shapes: (_config: SigmoidConfig, inputShape: readonly number[]) => ({ outputShape: [...inputShape], params: {} }),
  /** ONNX: Sigmoid, 1 / (1 + exp(−x)). */
  onnx: (_layer: Layer, ctx: OnnxLayerContext<SigmoidConfig>): string => ctx.node('Sigmoid', [ctx.input]),
});
