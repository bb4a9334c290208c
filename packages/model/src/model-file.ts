import type { Scaler } from '@dlfs/data';
import type { LayerRegistry } from '@dlfs/layers';
import { LossRegistry } from '@dlfs/losses';
import { type DType, formatShape, Rng, sameShape, shapeSize, type Tensor } from '@dlfs/tensor';
import { crc32, decodeBytes, encodeFloats } from './encoding.js';
import { checkClasses, checkFinite, checkJsonSafe, checkPreprocessing, checkTraining, describeValue, ModelRuleError } from './model-file-rules.js';
import { bookNames, type NamedTensor, Network } from './network.js';
import { type NetworkPlan, planNetwork } from './network-plan.js';
import { parseSpec, SpecError } from './spec.js';

export const MODEL_FORMAT = 'dlfs-model';
/**
 * 2: a "state" section (tensors saved but never trained, such as batch-norm's running statistics)
 * and the book's parameter names (W1, b1, gamma1, beta1, W2, …: each name counted on its own).
 * 1: parameters only, numbered by the layer's position among the layers with parameters (still read).
 */
export const MODEL_FORMAT_VERSION = 2;

/** How raw rows become network inputs, fitted on the training split and saved with the model. */
export interface Preprocessing {
  /** The fitted scaler's JSON (see @dlfs/data's scalers). */
  scaler: unknown;
  /** The label column the model was trained with (null when there was none). */
  label: string | null;
  /** Feature columns, in order, as the training CSV named them. */
  featureNames: string[];
}

/**
 * What the model file records of its training; nothing that varies between identical runs (no
 * clock times). Plain JSON: objects, arrays, strings, finite numbers, booleans and null.
 */
export interface TrainingSummary {
  [key: string]: unknown;
}

export interface ModelContents {
  network: Network;
  /** Class index → original label value. */
  classes: (string | number)[];
  preprocessing: Preprocessing;
  training: TrainingSummary;
}

export interface LoadedModel extends ModelContents {
  scaler: Scaler;
}

/** A model file that cannot be read; names the file and what is wrong with it. */
export class ModelFileError extends Error {
  readonly source: string;
  constructor(source: string, detail: string, opts?: { cause?: unknown }) {
    super(`${source}: ${detail}`, opts);
    this.name = 'ModelFileError';
    this.source = source;
  }
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8 };

/**
 * The model as one JSON text: format and version, the spec, the preprocessing, the weights
 * (base64 little-endian floats) and the training summary, sealed by a CRC-32 of everything else.
 * The same network and metadata always give the same bytes.
 *
 * What it writes is checked by the rules parseModel reads by, so that a file it writes always
 * loads: the spec as parseSpec reads it, classes (one per output for a classifying loss), the
 * preprocessing (a scaler scalerFromJSON reads, fitted on the network's input features; one
 * feature name per feature), a training summary that JSON holds exactly, finite weights and
 * state. A broken rule throws a TypeError (a value of the wrong kind) or a RangeError (a count or
 * a number out of range) whose message names the field.
 */
export function serializeModel(contents: ModelContents): string {
  const { network } = contents;
  const { classes, preprocessing, training } = writerRules(() => {
    checkJsonSafe(network.spec, 'spec', { undefinedKeys: true });
    return {
      classes: checkClasses(contents.classes, shapeSize(network.outputShape), network.isClassifier),
      preprocessing: checkPreprocessing(contents.preprocessing, shapeSize(network.inputShape)).preprocessing,
      training: checkTraining(contents.training),
    };
  });
  try {
    parseSpec(JSON.parse(JSON.stringify(network.spec)), 'spec', { losses: new LossRegistry([network.lossDef]) });
  } catch (err) {
    if (err instanceof SpecError) throw new TypeError(`serializeModel: the network's spec would not load: ${err.message}`, { cause: err });
    throw err;
  }
  const encode = (section: 'weights' | 'state', tensors: Readonly<Record<string, Tensor>>): Record<string, { shape: number[]; data: string }> =>
    Object.fromEntries(
      Object.entries(tensors).map(([name, t]) => {
        writerRules(() => checkFinite(section, name, t.shape, t.data));
        return [name, { shape: [...t.shape], data: encodeFloats(t.data) }];
      }),
    );
  const body = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    spec: network.spec,
    inputShape: [...network.inputShape],
    dtype: network.dtype,
    classes,
    preprocessing,
    training,
    weights: encode('weights', network.params),
    state: encode('state', network.state),
  };
  return `${formatJson({ ...body, checksum: crc32(JSON.stringify(body)) }, '')}\n`;
}

/** Runs model-file rules for the writer: a broken one is the caller's TypeError or RangeError. */
function writerRules<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (!(err instanceof ModelRuleError)) throw err;
    const message = `serializeModel: ${err.message}`;
    throw err.kind === 'range' ? new RangeError(message) : new TypeError(message);
  }
}

/** JSON indented by two spaces, except that arrays of plain values (a scaler's 784 minima) stay on one line. */
function formatJson(value: unknown, indent: string): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return JSON.stringify(value);
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a model file's text, checks it end to end and rebuilds the network with its layer types
 * resolved through `registry`: format, version and checksum; the spec (parseSpec, then every
 * layer's validate and shapes with the limits of planNetwork); the classes, the preprocessing and
 * the training summary by the rules serializeModel writes by; then the tensors the spec implies
 * against those the file declares and holds (names, shapes, byte counts, finite values), all
 * before anything is allocated; then the network is built and filled.
 *
 * Throws a ModelFileError naming the file and the field, or, for the file's spec, a SpecError
 * whose source is "<file> (spec)" naming the layer; nothing else (an unforeseen failure comes
 * back as a ModelFileError with the original as its cause).
 */
export function parseModel(text: string, opts: { registry: LayerRegistry; losses?: LossRegistry; source?: string }): LoadedModel {
  const source = opts.source ?? 'model';
  try {
    return readModel(text, opts, source);
  } catch (err) {
    if (err instanceof ModelFileError || err instanceof SpecError) throw err;
    if (err instanceof ModelRuleError) throw new ModelFileError(source, err.message);
    const reason = err instanceof Error ? err.message : String(err);
    throw new ModelFileError(source, `cannot be loaded (${reason}); train again or restore it from a copy`, { cause: err });
  }
}

function readModel(text: string, opts: { registry: LayerRegistry; losses?: LossRegistry }, source: string): LoadedModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(source, `is not valid JSON, so it is truncated or damaged (${(err as Error).message}); train again or restore it from a copy`);
  }
  if (!isRecord(json) || json.format !== MODEL_FORMAT) {
    throw new ModelFileError(source, `is not a dlfs model file (no "format": "${MODEL_FORMAT}"); pass a file written by "dlfs train --out"`);
  }
  const version = json.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new ModelFileError(source, `has an invalid format version ${version === undefined ? 'undefined' : describeValue(version)}`);
  }
  if (version > MODEL_FORMAT_VERSION) {
    throw new ModelFileError(source, `has format version ${version}, written by a newer dlfs; this one reads version ${MODEL_FORMAT_VERSION}. Upgrade dlfs`);
  }
  const { checksum, ...body } = json;
  if (typeof checksum !== 'string' || checksum !== crc32(JSON.stringify(body))) {
    throw new ModelFileError(source, 'fails its checksum: it was changed after it was written or is damaged; train again or restore it from a copy');
  }
  const specSource = `${source} (spec)`;
  const spec = parseSpec(body.spec, specSource, opts.losses ? { losses: opts.losses } : {});
  checkJsonSafe(spec, 'spec', { undefinedKeys: true });
  const inputShape = body.inputShape;
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ModelFileError(source, `"inputShape" must be an array of whole numbers > 0, got ${describeValue(inputShape)}`);
  }
  const dtype = body.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') throw new ModelFileError(source, `"dtype" must be "float32" or "float64", got ${describeValue(dtype)}`);
  // The count against the outputs is Network.build's (a SpecError naming the last layer).
  const classes = checkClasses(body.classes, undefined, false);
  const features = shapeSize(inputShape);
  const plan = planNetwork(spec, { registry: opts.registry, inputShape, dtype, source: specSource });
  const { preprocessing, scaler } = checkPreprocessing(body.preprocessing, features);
  const training = checkTraining(body.training);
  if (version === 1 && body.state !== undefined) throw new ModelFileError(source, 'is a version 1 file with a "state" section, which version 1 does not have');
  const weightsJson = body.weights;
  const stateJson = version === 1 ? {} : body.state;
  // Before anything is allocated: the tensors the spec implies must be in the file, whole.
  const weights = new FileTensors(source, 'weights', weightsJson, dtype);
  const state = new FileTensors(source, 'state', stateJson, dtype);
  const complete = plan.unplannedFrom === undefined;
  const plannedParams = version === 1 ? positionalNames(plan.layers.map((l) => l.params)) : bookNames(plan.layers.map((l) => l.params));
  weights.expect(
    plannedParams.map((n) => ({ name: n.name, shape: plan.layers[n.layer]!.params[n.key]! })),
    complete,
  );
  state.expect(plannedState(plan), complete);
  const network = Network.build(spec, {
    registry: opts.registry,
    ...(opts.losses ? { losses: opts.losses } : {}),
    inputShape,
    rng: new Rng(0),
    dtype,
    classes: classes.length,
    source: specSource,
  });
  // Version 1 numbered parameters by the layer's position among the layers with parameters.
  const paramNames = version === 1 ? positionalNames(network.layers.map((l) => l.params)) : network.paramNames;
  weights.fill(network, paramNames, (l) => l.params);
  state.fill(network, network.stateNames, (l) => l.state ?? {});
  return { network, classes, preprocessing, training, scaler };
}

function plannedState(plan: NetworkPlan): { name: string; shape: readonly number[] }[] {
  return bookNames(plan.layers.map((l) => l.state)).map((n) => ({ name: n.name, shape: plan.layers[n.layer]!.state[n.key]! }));
}

/** Version 1's names: W{k}, b{k} for the k-th layer that has any parameter. */
function positionalNames(records: readonly Readonly<Record<string, unknown>>[]): NamedTensor[] {
  const out: NamedTensor[] = [];
  let ordinal = 0;
  records.forEach((record, i) => {
    const keys = Object.keys(record);
    if (keys.length === 0) return;
    ordinal++;
    for (const key of keys) out.push({ name: `${key}${ordinal}`, layer: i, key });
  });
  return out;
}

/**
 * One section of a file ("weights" or "state"): the named tensors it declares, checked against
 * the shapes a network needs (name, shape, byte count, finite values) and decoded once.
 */
class FileTensors {
  private readonly json: Record<string, unknown>;
  /** Tensors already checked: name → their bytes, finite and of `shape`. */
  private readonly checked = new Map<string, { shape: readonly number[]; bytes: Uint8Array }>();

  constructor(
    private readonly source: string,
    private readonly section: 'weights' | 'state',
    json: unknown,
    private readonly dtype: DType,
  ) {
    if (!isRecord(json)) throw new ModelFileError(source, `"${section}" must be an object of named tensors`);
    this.json = json;
  }

  /**
   * Every tensor of `needed` must be in the file with its shape, its byte count and finite values;
   * when `complete` (the names are all the network has), the file may hold no other.
   */
  expect(needed: readonly { name: string; shape: readonly number[] }[], complete: boolean): void {
    const { source, section } = this;
    if (complete) {
      const known = new Set(needed.map((n) => n.name));
      // Own keys only: `in` would take inherited names such as "toString" for parameters.
      for (const name of Object.keys(this.json)) {
        if (known.has(name)) continue;
        const have = needed.length > 0 ? needed.map((n) => n.name).join(', ') : 'none';
        throw new ModelFileError(
          source,
          `has ${section} "${name}" that its spec has no place for (the network's ${section === 'weights' ? 'parameters' : 'state tensors'}: ${have})`,
        );
      }
    }
    for (const { name, shape } of needed) this.bytesOf(name, shape);
  }

  /** Checks the network's tensors of this section (all of them) and copies the file's values into them. */
  fill(network: Network, names: readonly NamedTensor[], pick: (layer: Network['layers'][number]) => Readonly<Record<string, Tensor>>): void {
    const tensors = names.map((n) => ({ name: n.name, t: pick(network.layers[n.layer]!)[n.key]! }));
    this.expect(
      tensors.map(({ name, t }) => ({ name, shape: t.shape })),
      true,
    );
    for (const { name, t } of tensors) new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).set(this.bytesOf(name, t.shape));
  }

  private bytesOf(name: string, shape: readonly number[]): Uint8Array {
    const done = this.checked.get(name);
    if (done !== undefined && sameShape(done.shape, shape)) return done.bytes;
    const { source, section, dtype } = this;
    const w = Object.hasOwn(this.json, name) ? this.json[name] : undefined;
    if (!isRecord(w)) throw new ModelFileError(source, `has no ${section} for "${name}", which its spec needs`);
    if (!Array.isArray(w.shape) || !sameShape(w.shape as number[], shape)) {
      throw new ModelFileError(
        source,
        `${section} "${name}" ${section === 'weights' ? 'have' : 'has'} shape ${describeValue(w.shape)} but the spec needs ${formatShape(shape)}`,
      );
    }
    const need = shapeSize(shape) * BYTES[dtype];
    const bytes = typeof w.data === 'string' ? decodeBytes(w.data) : undefined;
    if (!bytes || bytes.length !== need) {
      throw new ModelFileError(
        source,
        `${section} "${name}" ${section === 'weights' ? 'hold' : 'holds'} ${bytes ? `${bytes.length} bytes` : 'no valid base64'} but ${formatShape(shape)} ` +
          `${dtype} needs ${need}`,
      );
    }
    // decodeBytes gives a fresh buffer, so the floats are aligned; the file's bytes are little-endian, as the machines dlfs runs on.
    const values = dtype === 'float32' ? new Float32Array(bytes.buffer, 0, bytes.length / 4) : new Float64Array(bytes.buffer, 0, bytes.length / 8);
    try {
      checkFinite(section, name, shape, values);
    } catch (err) {
      if (err instanceof ModelRuleError) throw new ModelFileError(source, err.message);
      throw err;
    }
    this.checked.set(name, { shape, bytes });
    return bytes;
  }
}
