import { formatValue, number, optional } from '@dlfs/core';
import { batchNorm as normalize, batchNormBackward, type DType, formatShape, ones, reuse, sameShape, ShapeError, Tensor, zeros } from '@dlfs/tensor';
import { layerConfig } from './layer-config.js';
import type { BackwardContext, CreateContext, ForwardContext, Layer, LayerDef, OnnxLayerContext } from './layer.js';

export type BatchNormConfig = {
  /** Weight of the old running statistics in each update: running = momentum · running + (1 − momentum) · batch. 0.9 when not given, as in the book. */
  momentum?: number;
};

/** The book's ε, written `np.sqrt(var + 10e-7)` in common/layers.py: 10e-7 is 1e-6. */
const EPS = 10e-7;

/** What backward returns when asked for no input gradient. */
const EMPTY = new Tensor(new Float64Array(0), [0]);

/** The buffers of one mode. */
interface Pass {
  xn: Tensor | undefined;
  out: Tensor | undefined;
  stats: Tensor | undefined;
}

/**
 * 6.3 Batch Normalization: x̂ = (x − μ) / √(σ² + ε), y = γ · x̂ + β, per channel.
 *
 * The channel is axis 1 of the batch: a [batch, D] input is normalised per feature (as the book
 * does for affine outputs), a [batch, C, H, W] input per channel, with statistics over the batch
 * and every position (N · H · W values per channel). γ, β and the running statistics have shape
 * [C]. A training pass uses the batch's mean and biased variance and, when the pass may change
 * state, moves the running statistics towards them; an evaluation pass uses the running ones.
 * Output, params, grads and state have γ's dtype; dx has the dtype of the forward input.
 */
export class BatchNorm implements Layer {
  readonly params: Readonly<{ gamma: Tensor; beta: Tensor }>;
  /** Allocated once; every backward overwrites them. */
  readonly grads: Readonly<{ gamma: Tensor; beta: Tensor }>;
  /** Saved with the model, never trained: the statistics an evaluation pass normalises with. */
  readonly state: Readonly<{ runningMean: Tensor; runningVar: Tensor }>;
  readonly outputShape: readonly number[];
  readonly momentum: number;
  /**
   * Per mode, for the last forward of that mode: x̂, the output, and the mean and √(σ² + ε) it
   * used (float64 [2, C]), so that an evaluation batch never evicts what a training backward needs.
   */
  private readonly trainPass: Pass = { xn: undefined, out: undefined, stats: undefined };
  private readonly evalPass: Pass = { xn: undefined, out: undefined, stats: undefined };
  /** What backward reads: the last forward's pass. */
  private last: Pass | undefined;
  private train = false;
  private inputDtype: DType = 'float64';
  private dx: Tensor | undefined;

  /**
   * γ and β have shape [C], of one dtype, as do the running statistics (zeros when not given, as
   * the book's first forward makes them). `inputShape` is one sample: [C] by default, or
   * [C, H, W] (any shape whose first axis is C).
   */
  constructor(gamma: Tensor, beta: Tensor, opts: { momentum?: number; runningMean?: Tensor; runningVar?: Tensor; inputShape?: readonly number[] } = {}) {
    if (gamma.ndim !== 1) throw new ShapeError('batch-norm', [gamma.shape], `gamma must be 1-D [channels], got ${formatShape(gamma.shape)}`);
    const channels = gamma.shape[0]!;
    const dtype = gamma.dtype;
    const runningMean = opts.runningMean ?? zeros([channels], dtype);
    const runningVar = opts.runningVar ?? zeros([channels], dtype);
    for (const [name, t] of [
      ['beta', beta],
      ['runningMean', runningMean],
      ['runningVar', runningVar],
    ] as const) {
      if (!sameShape(t.shape, gamma.shape)) {
        throw new ShapeError('batch-norm', [gamma.shape, t.shape], `${name} must have gamma's shape ${formatShape(gamma.shape)}, got ${formatShape(t.shape)}`);
      }
      if (t.dtype !== dtype) throw new TypeError(`batch-norm: gamma is ${dtype} but ${name} is ${t.dtype}; give all four one dtype`);
    }
    const inputShape = opts.inputShape ?? [channels];
    if (inputShape[0] !== channels) {
      throw new ShapeError(
        'batch-norm',
        [inputShape, gamma.shape],
        `a sample ${formatShape(inputShape)} must have ${channels} channels (its first axis) to match gamma ${formatShape(gamma.shape)}`,
      );
    }
    const momentum = opts.momentum ?? 0.9;
    if (!(momentum >= 0 && momentum < 1)) throw new RangeError(`batch-norm: momentum must be a number >= 0 and < 1, got ${momentum}`);
    this.params = Object.freeze({ gamma, beta });
    this.grads = Object.freeze({ gamma: zeros([channels], dtype, { kernel: true }), beta: zeros([channels], dtype, { kernel: true }) });
    this.state = Object.freeze({ runningMean, runningVar });
    this.outputShape = Object.freeze([...inputShape]);
    this.momentum = momentum;
    this.trainPass.stats = zeros([2, channels]);
    this.evalPass.stats = zeros([2, channels]);
  }

  forward(x: Tensor, ctx?: ForwardContext): Tensor {
    this.checkInput(x);
    const { gamma, beta } = this.params;
    const dtype = gamma.dtype;
    const train = ctx?.train ?? false;
    const pass = train ? this.trainPass : this.evalPass;
    const out = reuse(pass.out, x.shape, dtype);
    const xn = reuse(pass.xn, x.shape, dtype);
    pass.out = out;
    pass.xn = xn;
    // 6.3.1: x̂ = (x − μ) / √(σ² + ε), y = γ · x̂ + β, with the batch's μ and σ² in training (the
    // running statistics moving towards them when the pass may change state), the running ones in evaluation.
    normalize(x.dtype === dtype ? x : x.astype(dtype), gamma, beta, {
      train,
      updateRunning: ctx?.updateState ?? true,
      momentum: this.momentum,
      eps: EPS,
      runningMean: this.state.runningMean,
      runningVar: this.state.runningVar,
      stats: pass.stats!,
      xn,
      out,
    });
    this.last = pass;
    this.train = train;
    this.inputDtype = x.dtype;
    return out;
  }

  backward(dout: Tensor, ctx?: BackwardContext): Tensor {
    const pass = this.last;
    const xn = pass?.xn;
    if (pass === undefined || xn === undefined) throw new Error('batch-norm: backward was called before forward');
    if (!sameShape(dout.shape, xn.shape)) {
      throw new ShapeError(
        'batch-norm.backward',
        [dout.shape, xn.shape],
        `dout ${formatShape(dout.shape)} must have the forward output's shape ${formatShape(xn.shape)}`,
      );
    }
    const { gamma } = this.params;
    const wantDx = ctx?.inputGradient !== false;
    const dx = wantDx ? reuse(this.dx, xn.shape, gamma.dtype) : undefined;
    if (dx !== undefined) this.dx = dx;
    // dβ = Σ dout, dγ = Σ dout · x̂; dx = γ/σ · (dout − mean(dout) − x̂ · mean(dout · x̂)) after a
    // training pass (the book's chain through σ² and μ, collapsed), γ/σ · dout after an evaluation pass.
    batchNormBackward(dout.dtype === gamma.dtype ? dout : dout.astype(gamma.dtype), xn, gamma, pass.stats!, {
      train: this.train,
      dgamma: this.grads.gamma,
      dbeta: this.grads.beta,
      ...(dx === undefined ? {} : { dx }),
    });
    if (dx === undefined) return EMPTY;
    return dx.dtype === this.inputDtype ? dx : dx.astype(this.inputDtype);
  }

  private checkInput(x: Tensor): void {
    const sample = this.outputShape;
    let fits = x.ndim === sample.length + 1 && x.shape[0]! >= 1;
    for (let a = 0; fits && a < sample.length; a++) fits = x.shape[a + 1] === sample[a];
    if (!fits) {
      throw new ShapeError(
        'batch-norm',
        [x.shape, sample],
        `x ${formatShape(x.shape)} must be a batch of samples ${formatShape(sample)}: give x the shape [batch, ${sample.join(', ')}] ` +
          'or create the layer with the matching inputShape',
      );
    }
  }
}

/** 6.3: the momentum of the running statistics. */
const batchNormConfig = layerConfig<BatchNormConfig>(
  'batch-norm',
  {
    momentum: optional(number({ ge: 0, lt: 1 }), 'weight of the old running mean and variance in each update', { default: 0.9 }),
  },
  '{ "momentum": 0.9 }',
);

/** The channel count of a sample: its first axis (features for [D], channels for [C, H, W]). */
function channelsOf(inputShape: readonly number[]): number {
  if (!Array.isArray(inputShape) || inputShape.length === 0 || inputShape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new ShapeError(
      'batch-norm',
      [inputShape],
      `inputShape must be a non-empty list of whole numbers >= 1 ([features] or [channels, height, width]), got ${formatValue(inputShape)}`,
    );
  }
  return inputShape[0]!;
}

export const batchNorm: LayerDef<BatchNormConfig> = Object.freeze({
  type: 'batch-norm',
  description: 'Batch normalization (6.3): y = gamma · (x − mean) / √(var + 1e-6) + beta, per feature of [batch, D] or per channel of [batch, C, H, W].',
  config: batchNormConfig,
  configFields: batchNormConfig.describe(),
  capabilities: Object.freeze({ stateful: true }),
  validate: (config: unknown): BatchNormConfig => batchNormConfig.validate(config),
  /** γ = 1 and β = 0 of shape [C] in ctx.dtype (float64 when not given); running mean and variance 0, as the book starts them. */
  create(config: BatchNormConfig, ctx: CreateContext): Layer {
    const { momentum = 0.9 } = batchNormConfig.withDefaults(batchNormConfig.validate(config));
    const channels = channelsOf(ctx.inputShape);
    const dtype = ctx.dtype ?? 'float64';
    // Parameters live where the kernels update them in place (the WASM arena for float32).
    const gamma = ones([channels], dtype, { kernel: true });
    const beta = zeros([channels], dtype, { kernel: true });
    return new BatchNorm(gamma, beta, { momentum, inputShape: ctx.inputShape });
  },
  /** What create makes, without making it: gamma and beta [C], state runningMean and runningVar [C], output the input's shape. */
  shapes(config: BatchNormConfig, inputShape: readonly number[]) {
    batchNormConfig.validate(config);
    const channels = channelsOf(inputShape);
    return {
      outputShape: [...inputShape],
      params: { gamma: [channels], beta: [channels] },
      state: { runningMean: [channels], runningVar: [channels] },
    };
  },
  /**
   * ONNX: BatchNormalization with the running statistics and the book's ε, the evaluation pass:
   * axis 1 is the channel, so a [N, D] input is normalised per feature and [N, C, H, W] per channel.
   */
  onnx(layer: Layer, ctx: OnnxLayerContext<BatchNormConfig>): string {
    const { gamma, beta } = (layer as BatchNorm).params;
    const { runningMean, runningVar } = (layer as BatchNorm).state;
    // ONNX's inputs in order: X, scale, B, input_mean, input_var
    const inputs = Object.entries({ gamma, beta, runningMean, runningVar }).map(([name, t]) => ctx.constant(name, t.data, t.shape));
    // 6.3.1: y = γ · (x − running mean) / √(running var + ε) + β
    return ctx.node('BatchNormalization', [ctx.input, ...inputs], { epsilon: { float: EPS } });
  },
});
