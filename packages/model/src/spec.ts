import type { LayerSpec } from '@dlfs/layers';
import { builtinLosses, type LossRegistry } from '@dlfs/losses';
import { describeValue } from './model-file-rules.js';

/** A network as data: the same JSON builds it, is saved in model files and is what the CLI reads. */
export interface NetworkSpec {
  /**
   * Shape of one input sample, when the rows are to be seen as more than a vector: [1, 28, 28]
   * reads each row's 784 features as one channel of 28×28 (row-major, as Kaggle stores pixels),
   * batches then being NCHW. Without it a sample is its row of features.
   */
  inputShape?: number[];
  layers: LayerSpec[];
  /** The loss layer's type, resolved through a LossRegistry: "softmax-with-loss", "identity-with-loss". */
  loss: string;
}

/** Thrown for a spec that is not well formed; names where (file and JSON path) and what to change. */
export class SpecError extends Error {
  constructor(source: string, path: string, detail: string, opts?: { cause?: unknown }) {
    super(`${source}: ${path ? `${path}: ` : ''}${detail}`, opts);
    this.name = 'SpecError';
  }
}

/** The chapter-5 network: Affine(hidden) → ReLU → Affine(classes) → SoftmaxWithLoss, weight std 0.01. */
export function defaultSpec(classes: number, hidden = 50): NetworkSpec {
  return {
    layers: [{ type: 'affine', units: hidden }, { type: 'relu' }, { type: 'affine', units: classes }],
    loss: 'softmax-with-loss',
  };
}

const KEYS = ['inputShape', 'layers', 'loss'];

/**
 * Checks the shape of an untrusted spec (parsed JSON): its keys, its input shape, each layer
 * entry's type, and that the loss is one `losses` knows (the built-in losses by default).
 * Layer configs are checked later by each layer's validate, when the registry creates it.
 */
export function parseSpec(json: unknown, source = 'spec', opts: { losses?: LossRegistry } = {}): NetworkSpec {
  const example = '{"layers": [{"type": "affine", "units": 50}, {"type": "relu"}, {"type": "affine", "units": 10}], "loss": "softmax-with-loss"}';
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SpecError(source, '', `a spec must be a JSON object such as ${example}`);
  }
  const obj = json as Record<string, unknown>;
  const unknownKeys = Object.keys(obj).filter((k) => !KEYS.includes(k));
  if (unknownKeys.length > 0) {
    // A hand-edited or generated file may have thousands: the first five, cut short, say enough.
    const named = unknownKeys
      .slice(0, 5)
      .map((k) => describeValue(k))
      .join(', ');
    const more = unknownKeys.length > 5 ? ` and ${unknownKeys.length - 5} more` : '';
    throw new SpecError(source, '', `unknown key${unknownKeys.length > 1 ? 's' : ''} ${named}${more}; a spec has "inputShape", "layers" and "loss"`);
  }
  const { inputShape } = obj;
  if (inputShape !== undefined && !(Array.isArray(inputShape) && inputShape.length > 0 && inputShape.every((d) => Number.isSafeInteger(d) && d >= 1))) {
    throw new SpecError(
      source,
      'inputShape',
      `must be a non-empty list of whole numbers >= 1 such as [1, 28, 28] (channels, height, width), got ${describeValue(inputShape)}`,
    );
  }
  if (!Array.isArray(obj.layers) || obj.layers.length === 0) {
    throw new SpecError(source, 'layers', `must be a non-empty array of layers such as [{"type": "affine", "units": 50}]`);
  }
  const layers = obj.layers.map((layer: unknown, i: number): LayerSpec => {
    if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) {
      throw new SpecError(source, `layers[${i}]`, `must be an object with a "type", got ${describeValue(layer)}`);
    }
    const type = (layer as Record<string, unknown>).type;
    if (typeof type !== 'string' || type === '') {
      throw new SpecError(
        source,
        `layers[${i}].type`,
        `must be a layer type name such as "affine", got ${type === undefined ? 'undefined' : describeValue(type)}`,
      );
    }
    return { ...(layer as Record<string, unknown>), type };
  });
  const loss = obj.loss ?? 'softmax-with-loss';
  const losses = opts.losses ?? builtinLosses();
  if (typeof loss !== 'string' || !losses.has(loss)) {
    throw new SpecError(source, 'loss', `must be one of ${losses.types().join(', ')}, got ${describeValue(loss)}`);
  }
  return { ...(inputShape === undefined ? {} : { inputShape: [...(inputShape as number[])] }), layers, loss };
}
