import { checkGradients, type GradientCheckReport, numericalGradient } from '@dlfs/gradcheck';
import { affine, builtinLayers, LayerRegistry, sigmoid } from '@dlfs/layers';
import { Network, type NetworkSpec } from '@dlfs/model';
import { randn, Rng, shapeSize } from '@dlfs/tensor';
import { reluWithoutMask } from './relu-without-mask.js';

export interface SmallCheckOptions {
  /** Features per sample. */
  inputs: number;
  hidden: number;
  classes: number;
  /** Rows of the batch the loss is averaged over. */
  samples: number;
  seed: number;
  /** Swap in a ReLU whose backward forgets its mask, to watch the check catch it. */
  plantBug: boolean;
}

export const SMALL_CHECK_DEFAULTS: Readonly<SmallCheckOptions> = Object.freeze({ inputs: 6, hidden: 8, classes: 3, samples: 4, seed: 1, plantBug: false });

/** One parameter's gradient both ways, entry by entry. */
export interface ParamGradients {
  readonly name: string;
  readonly shape: readonly number[];
  readonly backprop: Float64Array;
  readonly numerical: Float64Array;
}

export interface SmallCheckResult {
  readonly spec: NetworkSpec;
  /** "4-5-3": the inputs, then the outputs of every layer with weights (as the layers' defs declare). */
  readonly sizes: readonly number[];
  readonly report: GradientCheckReport;
  readonly gradients: readonly ParamGradients[];
  readonly loss: number;
}

/** Limits that keep the check quick enough to run on a click. */
export const SMALL_CHECK_LIMITS = { inputs: [1, 64], hidden: [1, 64], classes: [2, 10], samples: [1, 32] } as const;

/**
 * 5.7.3 on a network small enough to look at: Affine(hidden, He init) → ReLU → Affine(classes)
 * → SoftmaxWithLoss in float64, on a random batch drawn from `seed`. The backprop gradient of
 * every parameter is compared with the central difference (h = 1e-4) by @dlfs/gradcheck's
 * checkGradients (per-parameter verdicts, kinks detected) and numericalGradient (every entry).
 */
export function runSmallCheck(opts: SmallCheckOptions): SmallCheckResult {
  for (const [key, [lo, hi]] of Object.entries(SMALL_CHECK_LIMITS)) {
    const v = opts[key as keyof typeof SMALL_CHECK_LIMITS];
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${key} must be a whole number from ${lo} to ${hi}, got ${v}`);
  }
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) throw new RangeError(`seed must be a whole number >= 0, got ${opts.seed}`);
  const registry = opts.plantBug ? new LayerRegistry([affine, reluWithoutMask, sigmoid]) : builtinLayers();
  const spec: NetworkSpec = {
    layers: [{ type: 'affine', units: opts.hidden, weightInitStd: 'he' }, { type: 'relu' }, { type: 'affine', units: opts.classes, weightInitStd: 'he' }],
    loss: 'softmax-with-loss',
  };
  const rng = new Rng(opts.seed);
  const network = Network.build(spec, { registry, inputShape: [opts.inputs], rng: rng.fork(), dtype: 'float64', classes: opts.classes });
  const x = randn([opts.samples, opts.inputs], rng, { dtype: 'float64' });
  const t = Int32Array.from({ length: opts.samples }, () => rng.int(opts.classes));

  const target = network.gradientCheckTarget(x, t);
  const report = checkGradients(target);
  const backprop = target.gradients();
  const gradients = Object.entries(network.params).map(
    ([name, p]): ParamGradients => ({
      name,
      shape: [...p.shape],
      backprop: Float64Array.from(backprop[name]!.data),
      // 4.4: the same central difference, kept entry by entry for the picture.
      numerical: Float64Array.from(numericalGradient(() => target.loss(), p).data),
    }),
  );
  const sizes = [
    opts.inputs,
    ...network.layers.filter((_, i) => network.layerDefs[i]?.capabilities?.weightInit !== undefined).map((l) => shapeSize(l.outputShape)),
  ];
  return { spec, sizes, report, gradients, loss: target.loss() };
}
