import { scalerFromJSON, type Scaler } from '@dlfs/data';
import type { LayerRegistry } from '@dlfs/layers';
import type { LossRegistry } from '@dlfs/losses';
import { type DType, formatShape, Rng, sameShape, type Tensor } from '@dlfs/tensor';
import { crc32, decodeBytes, encodeFloats } from './encoding.js';
import { Network, type NamedTensor } from './network.js';
import { parseSpec } from './spec.js';

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

/** What the model file records of its training; nothing that varies between identical runs (no clock times). */
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
  constructor(source: string, detail: string) {
    super(`${source}: ${detail}`);
    this.name = 'ModelFileError';
    this.source = source;
  }
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8 };

/**
 * The model as one JSON text: format and version, the spec, the preprocessing, the weights
 * (base64 little-endian floats) and the training summary, sealed by a CRC-32 of everything else.
 * The same network and metadata always give the same bytes.
 */
export function serializeModel(contents: ModelContents): string {
  const { network } = contents;
  const encode = (tensors: Readonly<Record<string, Tensor>>): Record<string, { shape: number[]; data: string }> =>
    Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, { shape: [...t.shape], data: encodeFloats(t.data) }]));
  const body = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    spec: network.spec,
    inputShape: [...network.inputShape],
    dtype: network.dtype,
    classes: contents.classes,
    preprocessing: contents.preprocessing,
    training: contents.training,
    weights: encode(network.params),
    state: encode(network.state),
  };
  return `${formatJson({ ...body, checksum: crc32(JSON.stringify(body)) }, '')}\n`;
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
 * Reads a model file's text, checks it end to end (format, version, checksum, spec, sizes of
 * every weight) and rebuilds the network with its layer types resolved through `registry`.
 */
export function parseModel(text: string, opts: { registry: LayerRegistry; losses?: LossRegistry; source?: string }): LoadedModel {
  const source = opts.source ?? 'model';
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
    throw new ModelFileError(source, `has an invalid format version ${JSON.stringify(version)}`);
  }
  if (version > MODEL_FORMAT_VERSION) {
    throw new ModelFileError(source, `has format version ${version}, written by a newer dlfs; this one reads version ${MODEL_FORMAT_VERSION}. Upgrade dlfs`);
  }
  const { checksum, ...body } = json;
  if (typeof checksum !== 'string' || checksum !== crc32(JSON.stringify(body))) {
    throw new ModelFileError(source, 'fails its checksum: it was changed after it was written or is damaged; train again or restore it from a copy');
  }
  const spec = parseSpec(body.spec, `${source} (spec)`, opts.losses ? { losses: opts.losses } : {});
  const inputShape = body.inputShape;
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ModelFileError(source, `"inputShape" must be an array of whole numbers > 0, got ${JSON.stringify(inputShape)}`);
  }
  const dtype = body.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') throw new ModelFileError(source, `"dtype" must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
  const classes = body.classes;
  if (!Array.isArray(classes) || !classes.every((c) => typeof c === 'string' || typeof c === 'number')) {
    throw new ModelFileError(source, '"classes" must be an array of the label values');
  }
  const pre = body.preprocessing;
  if (!isRecord(pre) || !(pre.label === null || typeof pre.label === 'string') || !Array.isArray(pre.featureNames)) {
    throw new ModelFileError(source, '"preprocessing" must hold "scaler", "label" and "featureNames"');
  }
  let scaler: Scaler;
  try {
    scaler = scalerFromJSON(pre.scaler);
  } catch (err) {
    throw new ModelFileError(source, `"preprocessing.scaler" is not valid: ${(err as Error).message}`);
  }
  const network = Network.build(spec, {
    registry: opts.registry,
    ...(opts.losses ? { losses: opts.losses } : {}),
    inputShape,
    rng: new Rng(0),
    dtype,
    classes: classes.length,
    source: `${source} (spec)`,
  });
  // Version 1 numbered parameters by the layer's position among the layers with parameters.
  const paramNames = version === 1 ? positionalNames(network) : network.paramNames;
  readTensors(source, 'weights', body.weights, network, paramNames, (l) => l.params, dtype);
  if (version === 1 && body.state !== undefined) throw new ModelFileError(source, 'is a version 1 file with a "state" section, which version 1 does not have');
  readTensors(source, 'state', version === 1 ? {} : body.state, network, network.stateNames, (l) => l.state ?? {}, dtype);
  const training = isRecord(body.training) ? body.training : {};
  return {
    network,
    classes: classes as (string | number)[],
    preprocessing: { scaler: pre.scaler, label: pre.label as string | null, featureNames: pre.featureNames as string[] },
    training,
    scaler,
  };
}

/** Version 1's names: W{k}, b{k} for the k-th layer that has any parameter. */
function positionalNames(network: Network): NamedTensor[] {
  const out: NamedTensor[] = [];
  let ordinal = 0;
  network.layers.forEach((layer, i) => {
    const keys = Object.keys(layer.params);
    if (keys.length === 0) return;
    ordinal++;
    for (const key of keys) out.push({ name: `${key}${ordinal}`, layer: i, key });
  });
  return out;
}

/**
 * Fills the network's tensors of one section ("weights" or "state") from the file: every name
 * the network has must be there with its shape and size, and the file may hold no other.
 */
function readTensors(
  source: string,
  section: 'weights' | 'state',
  json: unknown,
  network: Network,
  names: readonly NamedTensor[],
  pick: (layer: Network['layers'][number]) => Readonly<Record<string, Tensor>>,
  dtype: DType,
): void {
  const what = section === 'weights' ? 'weights' : 'state';
  if (!isRecord(json)) throw new ModelFileError(source, `"${section}" must be an object of named tensors`);
  const known = new Set(names.map((n) => n.name));
  for (const name of Object.keys(json)) {
    // Own keys only: `in` would take inherited names such as "toString" for parameters.
    if (!known.has(name)) {
      const have = names.length > 0 ? names.map((n) => n.name).join(', ') : 'none';
      throw new ModelFileError(
        source,
        `has ${what} "${name}" that its spec has no place for (the network's ${section === 'weights' ? 'parameters' : 'state tensors'}: ${have})`,
      );
    }
  }
  for (const { name, layer, key } of names) {
    const t = pick(network.layers[layer]!)[key]!;
    const w = Object.hasOwn(json, name) ? json[name] : undefined;
    if (!isRecord(w)) throw new ModelFileError(source, `has no ${what} for "${name}", which its spec needs`);
    if (!Array.isArray(w.shape) || !sameShape(w.shape as number[], t.shape)) {
      throw new ModelFileError(
        source,
        `${what} "${name}" ${section === 'weights' ? 'have' : 'has'} shape ${JSON.stringify(w.shape)} but the spec needs ${formatShape(t.shape)}`,
      );
    }
    const bytes = typeof w.data === 'string' ? decodeBytes(w.data) : undefined;
    if (!bytes || bytes.length !== t.size * BYTES[dtype]) {
      throw new ModelFileError(
        source,
        `${what} "${name}" ${section === 'weights' ? 'hold' : 'holds'} ${bytes ? `${bytes.length} bytes` : 'no valid base64'} but ${formatShape(t.shape)} ` +
          `${dtype} needs ${t.size * BYTES[dtype]}`,
      );
    }
    new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).set(bytes);
  }
}
