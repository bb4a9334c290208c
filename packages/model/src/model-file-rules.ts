import { MinMaxScaler, type Scaler, ScalerError, scalerFromJSON } from '@dlfs/data';
import { formatShape } from '@dlfs/tensor';
import type { Preprocessing, TrainingSummary } from './model-file.js';

// The rules a model file's contents obey, one set for both directions: serializeModel checks what
// it writes with them (a broken rule is the caller's TypeError or RangeError) and parseModel checks
// what it reads (a ModelFileError), so a file dlfs writes always loads.

/** How deep a model file's spec or training summary may nest: far more than either needs, well within any stack. */
export const MAX_JSON_DEPTH = 100;

/**
 * A broken rule: `message` names the field by its JSON path ("preprocessing.featureNames[2]");
 * `kind` says whether the value is of the wrong type or out of range (a count, a non-finite number).
 */
export class ModelRuleError extends Error {
  readonly field: string;
  readonly kind: 'type' | 'range';
  constructor(field: string, message: string, kind: 'type' | 'range') {
    super(message);
    this.name = 'ModelRuleError';
    this.field = field;
    this.kind = kind;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value for a message: short JSON, cut at 60 characters. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') return String(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  text ??= String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * Class index → label value: strings or finite numbers (what JSON holds and a CSV column had),
 * and, when the loss classifies and the outputs are known, one per output.
 */
export function checkClasses(classes: unknown, outputs: number | undefined, classifier: boolean): (string | number)[] {
  if (!Array.isArray(classes)) throw new ModelRuleError('classes', '"classes" must be an array of the label values', 'type');
  for (let i = 0; i < classes.length; i++) {
    const c: unknown = classes[i];
    if (!(typeof c === 'string' || (typeof c === 'number' && Number.isFinite(c)))) {
      throw new ModelRuleError(`classes[${i}]`, `"classes[${i}]" must be a label value (a string or a finite number), got ${describeValue(c)}`, 'type');
    }
  }
  if (classifier && outputs !== undefined && classes.length !== outputs) {
    throw new ModelRuleError(
      'classes',
      `"classes" has ${classes.length} label${classes.length === 1 ? '' : 's'} but the network ends with ${outputs} output${outputs === 1 ? '' : 's'} ` +
        'per sample and its loss classifies: give one label per output',
      'range',
    );
  }
  return classes as (string | number)[];
}

const PREPROCESSING_KEYS = ['scaler', 'label', 'featureNames'];

/**
 * The preprocessing of a network that takes `features` values per sample: a scaler that
 * scalerFromJSON reads (fitted on `features` features, when it knows how many: min-max), the
 * label column's name or null, and one feature name (a string) per feature.
 */
export function checkPreprocessing(pre: unknown, features: number): { preprocessing: Preprocessing; scaler: Scaler } {
  if (!isRecord(pre)) throw new ModelRuleError('preprocessing', '"preprocessing" must hold "scaler", "label" and "featureNames"', 'type');
  const extra = Object.keys(pre).find((k) => !PREPROCESSING_KEYS.includes(k));
  if (extra !== undefined) {
    throw new ModelRuleError(
      `preprocessing.${extra}`,
      `"preprocessing" has an unknown field ${JSON.stringify(extra)}; it holds "scaler", "label" and "featureNames"`,
      'type',
    );
  }
  let scaler: Scaler;
  try {
    scaler = scalerFromJSON(pre.scaler);
  } catch (err) {
    if (!(err instanceof ScalerError)) throw err;
    throw new ModelRuleError('preprocessing.scaler', `"preprocessing.scaler" is not valid: ${err.message}`, 'type');
  }
  const fitted = scaler instanceof MinMaxScaler ? scaler.min?.length : undefined;
  if (fitted !== undefined && fitted !== features) {
    throw new ModelRuleError(
      'preprocessing.scaler',
      `"preprocessing.scaler" was fitted on ${fitted} feature${fitted === 1 ? '' : 's'} but the network takes ${features} per sample; ` +
        'fit the scaler on the rows the network is trained on',
      'range',
    );
  }
  const { label, featureNames } = pre;
  if (!(label === null || typeof label === 'string')) {
    throw new ModelRuleError(
      'preprocessing.label',
      `"preprocessing.label" must be the label column's name, or null for none, got ${describeValue(label)}`,
      'type',
    );
  }
  if (!Array.isArray(featureNames)) {
    throw new ModelRuleError(
      'preprocessing.featureNames',
      `"preprocessing.featureNames" must be an array of the feature columns' names, one per input feature (${features}), got ${describeValue(featureNames)}`,
      'type',
    );
  }
  for (let i = 0; i < featureNames.length; i++) {
    const name: unknown = featureNames[i];
    if (typeof name !== 'string') {
      throw new ModelRuleError(`preprocessing.featureNames[${i}]`, `"preprocessing.featureNames[${i}]" must be a string, got ${describeValue(name)}`, 'type');
    }
  }
  if (featureNames.length !== features) {
    throw new ModelRuleError(
      'preprocessing.featureNames',
      `"preprocessing.featureNames" has ${featureNames.length} name${featureNames.length === 1 ? '' : 's'} but the network takes ${features} ` +
        `feature${features === 1 ? '' : 's'} per sample: give one name per feature column`,
      'range',
    );
  }
  return { preprocessing: { scaler: pre.scaler, label, featureNames: [...(featureNames as string[])] }, scaler };
}

/** The training summary: a plain object that JSON holds exactly (see checkJsonSafe); none at all reads as {}. */
export function checkTraining(training: unknown): TrainingSummary {
  if (training === undefined) return {};
  if (!isRecord(training) || !isPlain(training)) {
    throw new ModelRuleError('training', `"training" must be a plain object summarising the run, got ${describeKind(training)}`, 'type');
  }
  checkJsonSafe(training, 'training');
  return training;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describeKind(v: unknown): string {
  if (v instanceof Date) return 'a Date';
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isPlain(v)) return `a ${v.constructor?.name ?? 'non-plain object'}`;
  return describeValue(v);
}

/** A JSON path one step further: training.history[3], training["a b"]. */
function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Throws unless JSON.parse(JSON.stringify(value)) would equal value: only null, booleans, finite
 * numbers, strings, arrays without holes and plain objects, no cycles, nested at most
 * MAX_JSON_DEPTH deep. A Date (JSON makes it a string), a function, a symbol or undefined
 * (JSON drops them), NaN or ±Infinity (JSON writes null), a Map or a class instance are named by
 * their path. With `undefinedKeys`, a key whose value is undefined is let through, as JSON drops it
 * and a left-out optional field means the same (a spec's config).
 */
export function checkJsonSafe(value: unknown, path: string, opts: { undefinedKeys?: boolean } = {}): void {
  const ancestors: object[] = [];
  const paths: string[] = [];
  const visit = (v: unknown, at: string, inObject: boolean): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new ModelRuleError(at, `"${at}" is ${v}, which JSON writes as null; give a finite number, or null for none`, 'range');
      return;
    }
    if (v === undefined) {
      if (inObject && opts.undefinedKeys) return;
      throw new ModelRuleError(at, `"${at}" is undefined, which JSON ${inObject ? 'drops' : 'writes as null'}; leave it out or give null`, 'type');
    }
    if (typeof v !== 'object') throw new ModelRuleError(at, `"${at}" is a ${typeof v}, which JSON cannot hold`, 'type');
    const seen = ancestors.indexOf(v);
    if (seen !== -1) throw new ModelRuleError(at, `"${at}" refers back to "${paths[seen]}": a cycle, which JSON cannot hold`, 'type');
    if (ancestors.length >= MAX_JSON_DEPTH) {
      throw new ModelRuleError(at, `"${at}" is nested ${ancestors.length} levels deep; a model file's fields may nest at most ${MAX_JSON_DEPTH}`, 'range');
    }
    if (!Array.isArray(v) && !isPlain(v)) {
      const hint = v instanceof Date ? ' (JSON makes it a string; write date.toISOString() if you mean the text)' : '';
      throw new ModelRuleError(at, `"${at}" is ${describeKind(v)}, not a plain object or array${hint}`, 'type');
    }
    ancestors.push(v);
    paths.push(at);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (!(i in v)) throw new ModelRuleError(child(at, i), `"${child(at, i)}" is an empty slot, which JSON writes as null`, 'type');
        visit(v[i], child(at, i), false);
      }
    } else {
      for (const [k, item] of Object.entries(v)) visit(item, child(at, k), true);
    }
    ancestors.pop();
    paths.pop();
  };
  visit(value, path, false);
}

/** The row-major index of flat position `i` in `shape`: [1, 1] for 5 in [4, 4]. */
function unravel(i: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let rest = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    out[d] = n > 0 ? rest % n : 0;
    rest = n > 0 ? Math.floor(rest / n) : 0;
  }
  return out;
}

/** Throws at the first value of a weights or state tensor that is NaN or ±Infinity, naming the tensor and the index. */
export function checkFinite(section: 'weights' | 'state', name: string, shape: readonly number[], data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (Number.isFinite(v)) continue;
    throw new ModelRuleError(
      `${section}.${name}`,
      `${section} "${name}" ${section === 'weights' ? 'hold' : 'holds'} ${v} at index ${i} (${formatShape(unravel(i, shape))} of ${formatShape(shape)}); ` +
        'a model holds finite numbers only: train again (with a smaller learning rate if the loss blew up) or restore the file from a copy',
      'range',
    );
  }
}
