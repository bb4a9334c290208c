import { type DType, formatShape, mul, randn, Rng, sameShape, sum, type Tensor } from '@dlfs/tensor';
import { checkGradients, type GradientCheckReport, type ParamReport } from './check-gradients.js';

/** The parts of @dlfs/layers' Layer the kit exercises (structural, so any conforming layer fits). */
export interface LayerLike {
  forward(x: Tensor, ctx?: { train: boolean }): Tensor;
  backward(dout: Tensor): Tensor;
  readonly params: Readonly<Record<string, Tensor>>;
  readonly grads: Readonly<Record<string, Tensor>>;
  readonly outputShape?: readonly number[];
  kinkSignature?(): ArrayLike<number | boolean>;
}

/** The parts of @dlfs/layers' LayerDef the kit exercises. */
export interface LayerDefLike<C> {
  readonly type: string;
  create(config: C, ctx: { rng: Rng; inputShape: readonly number[]; dtype?: DType }): LayerLike;
  validate?(config: unknown): C;
}

export interface CheckLayerOptions {
  /** Shape of one input sample, without the batch axis. */
  inputShape: readonly number[];
  /** Seeds the layer's init, the input and the upstream gradient. */
  seed: number;
  /** Samples in the checked batch (3 by default). */
  batch?: number;
  h?: number;
  tolerance?: number;
  floor?: number;
}

export interface WorstOffender {
  /** "dx" or the parameter's name. */
  name: string;
  index: number[];
  backprop: number;
  numerical: number;
  relError: number;
}

export interface LayerReport {
  ok: boolean;
  type: string;
  /** Broken rules of the contract (wrong output shape, missing grads, mutated dout, ...). */
  problems: string[];
  /** Per checked tensor: "dx" first, then each parameter. */
  gradients: ParamReport[];
  /** The entry with the largest relative error outside kinks. */
  worst: WorstOffender | undefined;
  summary: string;
}

const INPUT = 'dx';

/**
 * The layer conformance kit: builds the layer in float64 from a seeded Rng, runs forward on a
 * random batch and backward on a random upstream gradient R, and checks against the numerical
 * gradient of L = Σ forward(x) ⊙ R that dx and every entry of grads are right. It also checks
 * the contract: output shape, grads with the params' keys and shapes, dout left unchanged.
 */
export function checkLayer<C>(def: LayerDefLike<C>, config: C, opts: CheckLayerOptions): LayerReport {
  const problems: string[] = [];
  const batch = opts.batch ?? 3;
  const rng = new Rng(opts.seed);
  const cfg = def.validate ? def.validate(config) : config;
  const layer = def.create(cfg, { rng, inputShape: opts.inputShape, dtype: 'float64' });
  const x = randn([batch, ...opts.inputShape], rng, { dtype: 'float64' });

  for (const [name, p] of Object.entries(layer.params)) {
    if (p.dtype !== 'float64') problems.push(`param ${name} is ${p.dtype} although create() was asked for float64`);
    const g = layer.grads[name];
    if (!g) problems.push(`grads has no "${name}" although params has`);
    else if (!sameShape(g.shape, p.shape)) problems.push(`grads.${name} has shape ${formatShape(g.shape)}, params.${name} ${formatShape(p.shape)}`);
  }
  for (const name of Object.keys(layer.grads)) {
    if (!(name in layer.params)) problems.push(`grads has "${name}", which params lacks`);
  }

  const out = layer.forward(x, { train: false });
  const expected = layer.outputShape ? [batch, ...layer.outputShape] : undefined;
  if (out.shape[0] !== batch) problems.push(`forward returned shape ${formatShape(out.shape)}; the batch axis must stay first with size ${batch}`);
  if (expected && !sameShape(out.shape, expected)) {
    problems.push(`forward returned shape ${formatShape(out.shape)} but outputShape says ${formatShape(expected)}`);
  }
  if (out.dtype !== 'float64') problems.push(`forward turned a float64 input into ${out.dtype}`);

  const r = randn(out.shape, rng, { dtype: 'float64' });
  const dout = r.clone();
  const dx = layer.backward(dout);
  if (!sameShape(dx.shape, x.shape)) problems.push(`backward returned dx of shape ${formatShape(dx.shape)} for an input of shape ${formatShape(x.shape)}`);
  for (let i = 0; i < r.size; i++) {
    if (!Object.is(dout.data[i], r.data[i])) {
      problems.push('backward changed dout in place; it must leave the upstream gradient as it was');
      break;
    }
  }

  let check: GradientCheckReport | undefined;
  if (problems.length === 0) {
    const grads: Record<string, Tensor> = { [INPUT]: dx.clone() };
    for (const [name, g] of Object.entries(layer.grads)) grads[name] = g.clone();
    const signature = layer.kinkSignature?.bind(layer);
    check = checkGradients(
      {
        params: { [INPUT]: x, ...layer.params },
        // L = Σ y ⊙ R, so ∂L/∂y = R: the dout given to backward above.
        loss: () => sum(mul(layer.forward(x, { train: false }), r)),
        gradients: () => grads,
        ...(signature ? { kinkSignature: signature } : {}),
      },
      { h: opts.h, tolerance: opts.tolerance, floor: opts.floor },
    );
  }
  const gradients = check?.params ?? [];
  let worst: WorstOffender | undefined;
  for (const g of gradients) {
    if (g.worst && (!worst || g.worst.relError > worst.relError)) worst = { name: g.name, ...g.worst };
  }
  const ok = problems.length === 0 && (check?.ok ?? false);
  const lines = [`${ok ? 'ok' : 'FAIL'}: layer "${def.type}" with config ${JSON.stringify(cfg)}, input ${formatShape([batch, ...opts.inputShape])}`];
  for (const p of problems) lines.push(`  contract: ${p}`);
  if (check) lines.push(...check.summary.split('\n').map((l) => `  ${l}`));
  if (worst && !ok) {
    lines.push(`  worst offender: ${worst.name}[${worst.index.join(', ')}] backprop ${worst.backprop} vs numerical ${worst.numerical} (relative error ${worst.relError.toExponential(2)})`);
  }
  return { ok, type: def.type, problems, gradients, worst, summary: lines.join('\n') };
}
