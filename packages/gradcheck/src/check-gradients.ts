import { formatShape, sameShape, type Tensor } from '@dlfs/tensor';
import { requireFloat64 } from './numerical-gradient.js';
import { relativeError, unravelIndex } from './relative-error.js';

/** What the gradient check needs from a network: its parameters, its loss, its backprop. */
export interface GradientCheckTarget {
  /** The tensors the loss reads; the check perturbs them in place and restores them. */
  readonly params: Readonly<Record<string, Tensor>>;
  /** The loss at the current parameter values. */
  loss(): number;
  /** The backprop gradient of the loss, one tensor per parameter (same keys and shapes). */
  gradients(): Readonly<Record<string, Tensor>>;
  /**
   * Optional: which branch every non-smooth unit took in the last loss() call (for ReLU, the
   * mask x > 0). When a finite step changes it, the step crossed a kink and the central
   * difference there is not the derivative; such entries are reported and left out of `ok`.
   */
  kinkSignature?(): ArrayLike<number | boolean>;
}

export interface GradientCheckOptions {
  /** Finite step (the book's 1e-4). */
  h?: number;
  /** Largest relative error allowed outside kinks. */
  tolerance?: number;
  /** Absolute floor of the relative error's denominator (see relativeError). */
  floor?: number;
  /** Only these parameters (default: all). */
  only?: readonly string[];
}

export interface EntryReport {
  /** Multi-index into the parameter. */
  index: number[];
  backprop: number;
  numerical: number;
  relError: number;
}

export interface ParamReport {
  name: string;
  shape: readonly number[];
  /** Mean of |backprop − numerical| over every entry (the book's check). */
  meanAbsDiff: number;
  /** Largest relative error over every entry, kinks included. */
  maxRelError: number;
  /** Largest relative error over the entries whose finite steps crossed no kink. */
  maxRelErrorSmooth: number;
  /** How many entries' steps crossed a kink (only known with kinkSignature). */
  kinks: number;
  /** The first few kink entries. */
  kinkEntries: EntryReport[];
  /**
   * Entries compared against a Richardson-extrapolated numerical gradient, because the plain
   * central difference's truncation error alone exceeded the tolerance.
   */
  refined: number;
  /** The worst entry outside kinks. */
  worst: EntryReport | undefined;
  ok: boolean;
}

export interface GradientCheckReport {
  ok: boolean;
  params: ParamReport[];
  /** A line per parameter, readable in a terminal or a test failure. */
  summary: string;
  tolerance: number;
  floor: number;
  h: number;
}

const MAX_KINK_ENTRIES = 20;

function sameSignature(a: ArrayLike<number | boolean>, b: ArrayLike<number | boolean>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (Boolean(a[i]) !== Boolean(b[i])) return false;
  return true;
}

function snapshot(sig: ArrayLike<number | boolean>): Uint8Array {
  const out = new Uint8Array(sig.length);
  for (let i = 0; i < sig.length; i++) out[i] = sig[i] ? 1 : 0;
  return out;
}

/**
 * 4.4 and 5.7.3: compares the backprop gradient of every parameter with its central-difference
 * gradient, entry by entry, in float64. Reports per parameter the mean absolute difference
 * (what the book prints) and the largest relative error, with kink crossings detected and
 * reported separately.
 */
export function checkGradients(target: GradientCheckTarget, opts: GradientCheckOptions = {}): GradientCheckReport {
  const h = opts.h ?? 1e-4;
  const tolerance = opts.tolerance ?? 1e-5;
  const floor = opts.floor ?? 1e-5;
  const names = opts.only ?? Object.keys(target.params);
  const backprop = target.gradients();
  const reports: ParamReport[] = [];
  for (const name of names) {
    const p = target.params[name];
    const g = backprop[name];
    if (!p) throw new Error(`checkGradients: no parameter named "${name}" (parameters: ${Object.keys(target.params).join(', ')})`);
    if (!g) throw new Error(`checkGradients: gradients() returned no "${name}" (it returned: ${Object.keys(backprop).join(', ')})`);
    if (!sameShape(p.shape, g.shape)) {
      throw new Error(`checkGradients: gradient of "${name}" has shape ${formatShape(g.shape)} but the parameter has ${formatShape(p.shape)}`);
    }
    requireFloat64(`checkGradients (parameter "${name}")`, p);
    reports.push(checkParam(target, name, p, g.data, { h, tolerance, floor }));
  }
  const ok = reports.every((r) => r.ok);
  const summary = reports.map(describe).join('\n');
  return { ok, params: reports, summary, tolerance, floor, h };
}

function checkParam(
  target: GradientCheckTarget,
  name: string,
  p: Tensor,
  grad: ArrayLike<number>,
  { h, tolerance, floor }: { h: number; tolerance: number; floor: number },
): ParamReport {
  const X = p.data;
  let base: Uint8Array | undefined;
  if (target.kinkSignature) {
    target.loss();
    base = snapshot(target.kinkSignature());
  }
  let sumAbs = 0;
  let maxRel = 0;
  let maxRelSmooth = 0;
  let worstAt = -1;
  let worstNum = 0;
  let kinks = 0;
  let refined = 0;
  const kinkEntries: EntryReport[] = [];
  for (let i = 0; i < X.length; i++) {
    const v = X[i]!;
    X[i] = v + h;
    const fp = target.loss();
    let crossed = base !== undefined && !sameSignature(base, target.kinkSignature!());
    X[i] = v - h;
    const fm = target.loss();
    if (base !== undefined && !crossed) crossed = !sameSignature(base, target.kinkSignature!());
    X[i] = v;
    let num = (fp - fm) / (2 * h);
    const bp = grad[i]!;
    sumAbs += Math.abs(bp - num);
    let rel = Number.isFinite(num) && Number.isFinite(bp) ? relativeError(bp, num, floor) : Infinity;
    if (!crossed && rel > tolerance && Number.isFinite(rel)) {
      // The central difference is off by h²·f'''/6, which for a small gradient of a strongly
      // curved loss can exceed the tolerance. Before calling the entry wrong, remove that term
      // by Richardson extrapolation: (4·D(h) − D(2h)) / 3 is exact up to h⁴ (steps without kinks only).
      X[i] = v + 2 * h;
      const fp2 = target.loss();
      let crossed2 = base !== undefined && !sameSignature(base, target.kinkSignature!());
      X[i] = v - 2 * h;
      const fm2 = target.loss();
      if (base !== undefined && !crossed2) crossed2 = !sameSignature(base, target.kinkSignature!());
      X[i] = v;
      if (!crossed2) {
        const extrapolated = (4 * num - (fp2 - fm2) / (4 * h)) / 3;
        const rel2 = relativeError(bp, extrapolated, floor);
        if (rel2 < rel) {
          num = extrapolated;
          rel = rel2;
          refined++;
        }
      }
    }
    if (rel > maxRel) maxRel = rel;
    if (crossed) {
      kinks++;
      if (kinkEntries.length < MAX_KINK_ENTRIES) kinkEntries.push({ index: unravelIndex(i, p.shape), backprop: bp, numerical: num, relError: rel });
    } else if (rel > maxRelSmooth || worstAt === -1) {
      maxRelSmooth = rel;
      worstAt = i;
      worstNum = num;
    }
  }
  const worst = worstAt === -1 ? undefined : { index: unravelIndex(worstAt, p.shape), backprop: grad[worstAt]!, numerical: worstNum, relError: maxRelSmooth };
  return {
    name,
    shape: p.shape,
    meanAbsDiff: X.length === 0 ? 0 : sumAbs / X.length,
    maxRelError: maxRel,
    maxRelErrorSmooth: maxRelSmooth,
    kinks,
    kinkEntries,
    refined,
    worst,
    ok: maxRelSmooth <= tolerance,
  };
}

function describe(r: ParamReport): string {
  const w = r.worst
    ? ` worst [${r.worst.index.join(', ')}]: backprop ${r.worst.backprop.toExponential(6)} vs numerical ${r.worst.numerical.toExponential(6)}`
    : '';
  const k = r.kinks > 0 ? `, ${r.kinks} kink crossing${r.kinks === 1 ? '' : 's'} left out (max rel error with them ${r.maxRelError.toExponential(2)})` : '';
  const e = r.refined > 0 ? `, ${r.refined} entr${r.refined === 1 ? 'y' : 'ies'} checked by Richardson extrapolation` : '';
  const verdict = `${r.ok ? 'ok  ' : 'FAIL'} ${r.name} ${formatShape(r.shape)}`;
  return `${verdict}: mean |diff| ${r.meanAbsDiff.toExponential(2)}, max rel error ${r.maxRelErrorSmooth.toExponential(2)}${k}${e};${w}`;
}
