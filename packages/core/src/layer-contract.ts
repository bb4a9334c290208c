import { Tensor, zeros } from '@dlfs/tensor';
import type { DType } from '@dlfs/tensor';
import type { Layer } from './layer.js';

/** A layer whose outputShape is known: what a registry hands out and a network holds. */
export type ShapedLayer = Layer & { readonly outputShape: readonly number[] };

/** What create returned breaks the Layer contract; `member` is the part to blame ("grads.W", "outputShape"). */
export class LayerContractError extends Error {
  readonly member: string;
  constructor(member: string, detail: string) {
    super(`${member}: ${detail}`);
    this.name = 'LayerContractError';
    this.member = member;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function checkTensors(owner: string, record: unknown, fix: string): Record<string, Tensor> {
  if (!isRecord(record)) throw new LayerContractError(owner, `must be an object of named Tensors (${fix}), got ${record === null ? 'null' : typeof record}`);
  for (const [name, t] of Object.entries(record)) {
    if (!(t instanceof Tensor)) throw new LayerContractError(`${owner}.${name}`, `must be a Tensor from @dlfs/tensor, got ${t === null ? 'null' : typeof t}`);
  }
  return record as Record<string, Tensor>;
}

/**
 * Checks what a def's create returned against the Layer contract, once, when a layer is built:
 * forward and backward are functions; params and grads are objects of Tensors with the same keys
 * and shapes; state (when given) an object of Tensors apart from params; outputShape (when given)
 * a list of whole numbers >= 1. A missing outputShape is found by one forward pass of a zero
 * sample in evaluation mode (state frozen) and set on the layer. Returns the layer, shaped;
 * throws LayerContractError naming the member and what to do.
 */
export function resolveLayer(layer: unknown, inputShape: readonly number[], dtype: DType = 'float64'): ShapedLayer {
  if (!isRecord(layer))
    throw new LayerContractError(
      'create()',
      `must return a layer object with forward, backward, params and grads, got ${layer === null ? 'null' : typeof layer}`,
    );
  for (const fn of ['forward', 'backward'] as const) {
    if (typeof layer[fn] !== 'function')
      throw new LayerContractError(
        fn,
        `must be a function (${fn === 'forward' ? 'forward(x, ctx) returns y' : 'backward(dout, ctx) returns dx'}), got ${typeof layer[fn]}`,
      );
  }
  const params = checkTensors('params', layer.params, 'the tensors an optimizer updates; {} for none');
  const grads = checkTensors('grads', layer.grads, 'one gradient per param, same keys; {} for none');
  for (const [name, p] of Object.entries(params)) {
    const g = grads[name];
    if (g === undefined) throw new LayerContractError(`grads.${name}`, `is missing: grads needs a tensor for every key of params`);
    if (g.shape.length !== p.shape.length || g.shape.some((d, i) => d !== p.shape[i])) {
      throw new LayerContractError(
        `grads.${name}`,
        `has shape ${shapeText(g.shape)} but params.${name} has ${shapeText(p.shape)}; give each grad its param's shape`,
      );
    }
  }
  for (const name of Object.keys(grads)) {
    if (!(name in params)) throw new LayerContractError(`grads.${name}`, `has no param of that name; grads must have exactly the keys of params`);
  }
  if (layer.state !== undefined) {
    const state = checkTensors('state', layer.state, 'tensors saved but never trained');
    for (const name of Object.keys(state)) {
      if (name in params)
        throw new LayerContractError(`state.${name}`, 'has the name of a param; state is saved but never trained, so give it a name of its own');
    }
  }
  const given = layer.outputShape;
  if (given !== undefined) {
    if (!Array.isArray(given) || !given.every((d) => Number.isSafeInteger(d) && d >= 1)) {
      throw new LayerContractError('outputShape', `must be a list of whole numbers >= 1 (one output sample, no batch axis), got ${JSON.stringify(given)}`);
    }
    return layer as unknown as ShapedLayer;
  }
  // One zero sample, evaluation mode, state frozen: the layer's output shape without its batch axis.
  const sample = zeros([1, ...inputShape], dtype, { kernel: false });
  const y: unknown = (layer as unknown as Layer).forward(sample, { train: false, updateState: false });
  if (!(y instanceof Tensor) || y.ndim < 1 || y.shape[0] !== 1) {
    const got = y instanceof Tensor ? `a Tensor of shape ${shapeText(y.shape)}` : typeof y;
    throw new LayerContractError(
      'outputShape',
      `is not given, and forward of one sample [1, ${inputShape.join(', ')}] returned ${got}, not a batch of one; give outputShape`,
    );
  }
  const shape = Object.freeze(y.shape.slice(1));
  if (Object.isExtensible(layer)) {
    Object.defineProperty(layer, 'outputShape', { value: shape, enumerable: true });
    return layer as unknown as ShapedLayer;
  }
  // A frozen layer object: a thin layer that delegates to it, with the shape.
  const inner = layer as unknown as Layer;
  return Object.freeze({
    forward: (x: Tensor, ctx?: Parameters<Layer['forward']>[1]) => inner.forward(x, ctx),
    backward: (dout: Tensor, ctx?: Parameters<Layer['backward']>[1]) => inner.backward(dout, ctx),
    params: inner.params,
    grads: inner.grads,
    ...(inner.state === undefined ? {} : { state: inner.state }),
    ...(inner.kinkSignature === undefined ? {} : { kinkSignature: () => inner.kinkSignature!() }),
    outputShape: shape,
  });
}
