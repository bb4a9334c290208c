import { type ForwardContext, type Layer, LayerContractError, type LayerDef, resolveLayer, type ShapedLayer, validateConfig } from '@dlfs/core';
import { formatShape, mul, ones, randn, Rng, sameShape, sum, type Tensor } from '@dlfs/tensor';
import { checkGradients, type GradientCheckReport, type ParamReport } from './check-gradients.js';
import { unravelIndex } from './relative-error.js';

/** The layer contract the kit exercises: @dlfs/core's Layer. */
export type LayerLike = Layer;

/** The def contract the kit exercises: @dlfs/core's LayerDef. */
export type LayerDefLike<C> = LayerDef<C>;

/** A pass the kit checks: evaluation (train: false) or training (train: true). */
export type PassMode = 'eval' | 'train';

export interface CheckLayerOptions {
  /** Shape of one input sample, without the batch axis. */
  inputShape: readonly number[];
  /** Seeds the layer's init, the input, the upstream gradient and the passes' random streams. */
  seed: number;
  /** Samples in the checked batch (3 by default). */
  batch?: number;
  /** The passes to check; both by default. */
  modes?: readonly PassMode[];
  h?: number;
  tolerance?: number;
  floor?: number;
}

export interface WorstOffender {
  /** "dx" or the parameter's name. */
  name: string;
  /** The pass it was found in. */
  mode: PassMode;
  index: number[];
  backprop: number;
  numerical: number;
  relError: number;
}

/** A checked tensor's report, from the pass where it did worst. */
export interface LayerGradientReport extends ParamReport {
  mode: PassMode;
}

export interface LayerReport {
  ok: boolean;
  type: string;
  /** Broken rules of the contract (wrong output shape, missing grads, mutated dout, a pass that cannot be replayed, ...). */
  problems: string[];
  /** Per checked tensor ("dx" first, then each parameter): its worst pass. */
  gradients: LayerGradientReport[];
  /** Every checked pass in full. */
  modes: Partial<Record<PassMode, GradientCheckReport>>;
  /** The entry with the largest relative error outside kinks, over every pass. */
  worst: WorstOffender | undefined;
  summary: string;
}

const INPUT = 'dx';

function copies(record: Readonly<Record<string, Tensor>> | undefined): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(record ?? {}).map(([k, t]) => [k, t.clone()]));
}

function sameValues(a: Tensor, b: Tensor): boolean {
  if (!sameShape(a.shape, b.shape)) return false;
  for (let i = 0; i < a.size; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
}

/**
 * The layer conformance kit: builds the layer in float64 from a seeded Rng and, for an
 * evaluation pass and a training pass, runs forward on a random batch and backward on a random
 * upstream gradient R, then checks against the numerical gradient of L = Σ forward(x) ⊙ R that
 * dx and every entry of grads are right. Each pass is replayed exactly for every probe: the
 * same pass seed as a fresh `ctx.rng` (so a dropout mask stays put) and `updateState: false`
 * (so running statistics stay put). It also checks the contract: output shape, grads with the
 * params' keys and shapes, state apart from params and unchanged by frozen passes, dout left
 * unchanged, and that a pass with the same seed gives the same output.
 */
export function checkLayer<C>(def: LayerDefLike<C>, config: C, opts: CheckLayerOptions): LayerReport {
  const problems: string[] = [];
  const batch = opts.batch ?? 3;
  const modes = opts.modes ?? (['eval', 'train'] as const);
  const rng = new Rng(opts.seed);
  const cfg = validateConfig(def, config);
  const created = def.create(cfg, { rng, inputShape: opts.inputShape, dtype: 'float64' });
  const x = randn([batch, ...opts.inputShape], rng, { dtype: 'float64' });

  // The contract a network checks when it builds the layer (and outputShape found when left out).
  let layer: ShapedLayer | undefined;
  try {
    layer = resolveLayer(created, opts.inputShape, 'float64');
  } catch (err) {
    if (!(err instanceof LayerContractError)) throw err;
    problems.push(err.message);
  }
  if (layer === undefined) return report(def.type, cfg, batch, opts.inputShape, problems, modes, {});
  for (const [name, p] of Object.entries(layer.params)) {
    if (p.dtype !== 'float64') problems.push(`param ${name} is ${p.dtype} although create() was asked for float64`);
  }
  for (const [name, s] of Object.entries(layer.state ?? {})) {
    if (Object.values(layer.params).includes(s)) problems.push(`state.${name} is also a param; optimizers must never see state`);
  }

  const reports: Partial<Record<PassMode, GradientCheckReport>> = {};
  if (problems.length === 0) {
    for (const mode of modes) {
      const passSeed = rng.nextUint32();
      // A fresh stream of the same seed for every pass: each probe replays the same randomness.
      const ctx = (): ForwardContext => ({ train: mode === 'train', rng: new Rng(passSeed), updateState: false });
      const stateBefore = copies(layer.state);
      const out = layer.forward(x, ctx()).clone();
      const expected = [batch, ...layer.outputShape];
      const where = `forward in ${mode} mode`;
      if (out.shape[0] !== batch) problems.push(`${where} returned shape ${formatShape(out.shape)}; the batch axis must stay first with size ${batch}`);
      if (!sameShape(out.shape, expected)) problems.push(`${where} returned shape ${formatShape(out.shape)} but outputShape says ${formatShape(expected)}`);
      if (out.dtype !== 'float64') problems.push(`${where} turned a float64 input into ${out.dtype}`);
      if (problems.length > 0) break;
      if (!sameValues(layer.forward(x, ctx()), out)) {
        problems.push(
          `${where} cannot be replayed: the same input with the same pass seed and frozen state gave another output; ` +
            'draw random numbers from ctx.rng (not the Rng of create) and change state only when ctx.updateState allows',
        );
        break;
      }
      const r = randn(out.shape, rng, { dtype: 'float64' });
      const dout = r.clone();
      const dx = layer.backward(dout);
      if (!sameShape(dx.shape, x.shape))
        problems.push(`backward in ${mode} mode returned dx of shape ${formatShape(dx.shape)} for an input of shape ${formatShape(x.shape)}`);
      if (!sameValues(dout, r)) problems.push(`backward in ${mode} mode changed dout in place; it must leave the upstream gradient as it was`);
      if (problems.length > 0) break;
      const grads: Record<string, Tensor> = { [INPUT]: dx.clone(), ...copies(layer.grads) };
      const signature = layer.kinkSignature?.bind(layer);
      reports[mode] = checkGradients(
        {
          params: { [INPUT]: x, ...layer.params },
          // L = Σ y ⊙ R, so ∂L/∂y = R: the dout given to backward above.
          loss: () => sum(mul(layer.forward(x, ctx()), r)),
          gradients: () => grads,
          ...(signature ? { kinkSignature: signature } : {}),
        },
        { h: opts.h, tolerance: opts.tolerance, floor: opts.floor },
      );
      for (const [name, s] of Object.entries(layer.state ?? {})) {
        if (!sameValues(s, stateBefore[name]!)) problems.push(`${where} changed state "${name}" although ctx.updateState was false`);
      }
    }
  }

  if (problems.length === 0) problems.push(...capabilityProblems(def, layer, x, rng));
  return report(def.type, cfg, batch, opts.inputShape, problems, modes, reports);
}

const EVAL_PASS: ForwardContext = Object.freeze({ train: false, updateState: false });

/** An element's place in a tensor, for messages, as the worst offender is named: [1, 0, 2, 3]. */
function place(i: number, t: Tensor): string {
  return `[${unravelIndex(i, t.shape).join(', ')}]`;
}

/**
 * The promises of two capabilities, which let a network run a `commutesWithMax` layer after the
 * `windowMax` layers that follow it (Network.runOrder), checked in an evaluation pass:
 * - commutesWithMax: for every pair of neighbours a, b (flat indices 2k, 2k + 1 of a sample),
 *   max(f(a), f(b)) is f(max(a, b)) exactly, and where f(a) = f(b) with a ≠ b both gradients
 *   are 0 (ReLU: two inputs below 0);
 * - windowMax: every output is one of its sample's input values, backward's dx sums to dout's
 *   per sample, and dx is 0 wherever the input is no output's value.
 */
function capabilityProblems<C>(def: LayerDefLike<C>, layer: ShapedLayer, x: Tensor, rng: Rng): string[] {
  const problems: string[] = [];
  const batch = x.shape[0]!;
  const n = x.size / batch;
  if (def.capabilities?.commutesWithMax === true) {
    const y = layer.forward(x, EVAL_PASS).clone();
    const dx = layer.backward(ones(y.shape, 'float64')).clone();
    const pairMax = x.clone();
    for (let s = 0; s < batch; s++) {
      for (let j = 0; j + 1 < n; j += 2) {
        const i = s * n + j;
        const m = Math.max(x.data[i]!, x.data[i + 1]!);
        pairMax.data[i] = m;
        pairMax.data[i + 1] = m;
      }
    }
    const yMax = layer.forward(pairMax, EVAL_PASS);
    for (let s = 0; s < batch && problems.length === 0; s++) {
      for (let j = 0; j + 1 < n; j += 2) {
        const i = s * n + j;
        const [a, b, ya, yb] = [x.data[i]!, x.data[i + 1]!, y.data[i]!, y.data[i + 1]!];
        if (!Object.is(Math.max(ya, yb), yMax.data[i]!)) {
          problems.push(
            `declares commutesWithMax, but the larger of its outputs ${ya} and ${yb} at ${place(i, x)} and ${place(i + 1, x)} is not its output ` +
              `of the larger input, ${yMax.data[i]} for max(${a}, ${b}): a network would compute another function after moving it past a max pooling`,
          );
          break;
        }
        if (ya === yb && a !== b && (dx.data[i] !== 0 || dx.data[i + 1] !== 0)) {
          problems.push(
            `declares commutesWithMax, but inputs ${a} and ${b} at ${place(i, x)} and ${place(i + 1, x)} give one output ${ya} with gradients ` +
              `${dx.data[i]} and ${dx.data[i + 1]}, not 0: after moving it past a max pooling a network would send a gradient elsewhere`,
          );
          break;
        }
      }
    }
  }
  if (def.capabilities?.windowMax === true) {
    const y = layer.forward(x, EVAL_PASS).clone();
    const m = y.size / batch;
    const dout = randn(y.shape, rng, { dtype: 'float64' });
    const dx = layer.backward(dout);
    for (let s = 0; s < batch && problems.length === 0; s++) {
      const inputs = new Set(Array.from(x.data.subarray(s * n, (s + 1) * n)));
      const outputs = new Set(Array.from(y.data.subarray(s * m, (s + 1) * m)));
      for (let o = s * m; o < (s + 1) * m; o++) {
        if (!inputs.has(y.data[o]!)) {
          problems.push(`declares windowMax, but its output ${y.data[o]} at ${place(o, y)} is none of the sample's input values`);
          break;
        }
      }
      if (problems.length > 0) break;
      let sumDx = 0;
      let sumDout = 0;
      let scale = 0;
      for (let i = s * n; i < (s + 1) * n; i++) {
        sumDx += dx.data[i]!;
        if (dx.data[i] !== 0 && !outputs.has(x.data[i]!)) {
          problems.push(`declares windowMax, but backward gives ${place(i, x)} a gradient ${dx.data[i]} although its input ${x.data[i]} is no output's value`);
          break;
        }
      }
      for (let o = s * m; o < (s + 1) * m; o++) {
        sumDout += dout.data[o]!;
        scale += Math.abs(dout.data[o]!);
      }
      if (problems.length === 0 && Math.abs(sumDx - sumDout) > 1e-9 * Math.max(1, scale)) {
        problems.push(`declares windowMax, but sample ${s}'s dx sums to ${sumDx} and its dout to ${sumDout}: each output's gradient must go to one input`);
      }
    }
  }
  return problems;
}

/** The kit's verdict from the contract problems found and the passes checked. */
function report(
  type: string,
  cfg: unknown,
  batch: number,
  inputShape: readonly number[],
  problems: string[],
  modes: readonly PassMode[],
  reports: Partial<Record<PassMode, GradientCheckReport>>,
): LayerReport {
  const gradients: LayerGradientReport[] = [];
  let worst: WorstOffender | undefined;
  for (const mode of modes) {
    for (const g of reports[mode]?.params ?? []) {
      const at = gradients.findIndex((e) => e.name === g.name);
      const entry = { ...g, mode };
      if (at === -1) gradients.push(entry);
      else if (g.maxRelErrorSmooth > gradients[at]!.maxRelErrorSmooth || !g.ok) gradients[at] = entry;
      if (g.worst && (!worst || g.worst.relError > worst.relError)) worst = { name: g.name, mode, ...g.worst };
    }
  }
  const checked = modes.filter((m) => reports[m] !== undefined);
  const ok = problems.length === 0 && checked.length === modes.length && checked.every((m) => reports[m]!.ok);
  const lines = [`${ok ? 'ok' : 'FAIL'}: layer "${type}" with config ${JSON.stringify(cfg)}, input ${formatShape([batch, ...inputShape])}`];
  for (const p of problems) lines.push(`  contract: ${p}`);
  for (const mode of checked) {
    lines.push(`  ${mode} mode:`);
    lines.push(...reports[mode]!.summary.split('\n').map((l) => `    ${l}`));
  }
  if (worst && !ok) {
    lines.push(
      `  worst offender: ${worst.name}[${worst.index.join(', ')}] in ${worst.mode} mode, backprop ${worst.backprop} vs numerical ${worst.numerical} ` +
        `(relative error ${worst.relError.toExponential(2)})`,
    );
  }
  return { ok, type, problems, gradients, modes: reports, worst, summary: lines.join('\n') };
}
