import { scalerFromJSON, type Scaler } from '@dlfs/data';
import type { LayerRegistry } from '@dlfs/layers';
import { type DType, Rng, sameShape, formatShape } from '@dlfs/tensor';
import { crc32, decodeBytes, encodeFloats } from './encoding.js';
import { Network } from './network.js';
import { parseSpec } from './spec.js';

export const MODEL_FORMAT = 'dlfs-model';
export const MODEL_FORMAT_VERSION = 1;

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
  const weights: Record<string, { shape: number[]; data: string }> = {};
  for (const [name, p] of Object.entries(network.params)) weights[name] = { shape: [...p.shape], data: encodeFloats(p.data) };
  const body = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    spec: network.spec,
    inputShape: [...network.inputShape],
    dtype: network.dtype,
    classes: contents.classes,
    preprocessing: contents.preprocessing,
    training: contents.training,
    weights,
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
export function parseModel(text: string, opts: { registry: LayerRegistry; source?: string }): LoadedModel {
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
  const spec = parseSpec(body.spec, `${source} (spec)`);
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
    inputShape,
    rng: new Rng(0),
    dtype,
    classes: spec.loss === 'softmax-with-loss' ? classes.length : undefined,
    source: `${source} (spec)`,
  });
  const weights = body.weights;
  if (!isRecord(weights)) throw new ModelFileError(source, '"weights" must be an object of named tensors');
  for (const name of Object.keys(weights)) {
    // Own keys only: `in` would take inherited names such as "toString" for parameters.
    if (!Object.hasOwn(network.params, name)) {
      throw new ModelFileError(source, `has weights "${name}" that its spec has no place for (the network's parameters: ${Object.keys(network.params).join(', ')})`);
    }
  }
  for (const [name, p] of Object.entries(network.params)) {
    const w = weights[name];
    if (!isRecord(w)) throw new ModelFileError(source, `has no weights for "${name}", which its spec needs`);
    if (!Array.isArray(w.shape) || !sameShape(w.shape as number[], p.shape)) {
      throw new ModelFileError(source, `weights "${name}" have shape ${JSON.stringify(w.shape)} but the spec needs ${formatShape(p.shape)}`);
    }
    const bytes = typeof w.data === 'string' ? decodeBytes(w.data) : undefined;
    if (!bytes || bytes.length !== p.size * BYTES[dtype]) {
      throw new ModelFileError(source, `weights "${name}" hold ${bytes ? `${bytes.length} bytes` : 'no valid base64'} but ${formatShape(p.shape)} ${dtype} needs ${p.size * BYTES[dtype]}`);
    }
    new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength).set(bytes);
  }
  const training = isRecord(body.training) ? body.training : {};
  return {
    network,
    classes: classes as (string | number)[],
    preprocessing: { scaler: pre.scaler, label: pre.label as string | null, featureNames: pre.featureNames as string[] },
    training,
    scaler,
  };
}
