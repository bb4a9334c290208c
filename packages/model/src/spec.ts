import type { LayerSpec } from '@dlfs/layers';

/** The loss layers a spec may end with. */
export const LOSS_TYPES = ['softmax-with-loss', 'identity-with-loss'] as const;
export type LossType = (typeof LOSS_TYPES)[number];

/** A network as data: the same JSON builds it, is saved in model files and is what the CLI reads. */
export interface NetworkSpec {
  layers: LayerSpec[];
  loss: LossType;
}

/** Thrown for a spec that is not well formed; names where (file and JSON path) and what to change. */
export class SpecError extends Error {
  constructor(source: string, path: string, detail: string) {
    super(`${source}: ${path ? `${path}: ` : ''}${detail}`);
    this.name = 'SpecError';
  }
}

/** The chapter-5 network: Affine(hidden) → ReLU → Affine(classes) → SoftmaxWithLoss, weight std 0.01. */
export function defaultSpec(classes: number, hidden = 50): NetworkSpec {
  return {
    layers: [
      { type: 'affine', units: hidden },
      { type: 'relu' },
      { type: 'affine', units: classes },
    ],
    loss: 'softmax-with-loss',
  };
}

/**
 * Checks the shape of an untrusted spec (parsed JSON). Layer configs are checked later by each
 * layer's validate, when the registry creates it.
 */
export function parseSpec(json: unknown, source = 'spec'): NetworkSpec {
  const example = '{"layers": [{"type": "affine", "units": 50}, {"type": "relu"}, {"type": "affine", "units": 10}], "loss": "softmax-with-loss"}';
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SpecError(source, '', `a spec must be a JSON object such as ${example}`);
  }
  const obj = json as Record<string, unknown>;
  const unknownKeys = Object.keys(obj).filter((k) => k !== 'layers' && k !== 'loss');
  if (unknownKeys.length > 0) {
    throw new SpecError(source, '', `unknown key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.map((k) => JSON.stringify(k)).join(', ')}; a spec has "layers" and "loss"`);
  }
  if (!Array.isArray(obj.layers) || obj.layers.length === 0) {
    throw new SpecError(source, 'layers', `must be a non-empty array of layers such as [{"type": "affine", "units": 50}]`);
  }
  const layers = obj.layers.map((layer: unknown, i: number): LayerSpec => {
    if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) {
      throw new SpecError(source, `layers[${i}]`, `must be an object with a "type", got ${JSON.stringify(layer)}`);
    }
    const type = (layer as Record<string, unknown>).type;
    if (typeof type !== 'string' || type === '') {
      throw new SpecError(source, `layers[${i}].type`, `must be a layer type name such as "affine", got ${JSON.stringify(type)}`);
    }
    return { ...(layer as Record<string, unknown>), type };
  });
  const loss = obj.loss ?? 'softmax-with-loss';
  if (typeof loss !== 'string' || !(LOSS_TYPES as readonly string[]).includes(loss)) {
    throw new SpecError(source, 'loss', `must be one of ${LOSS_TYPES.join(', ')}, got ${JSON.stringify(loss)}`);
  }
  return { layers, loss: loss as LossType };
}
