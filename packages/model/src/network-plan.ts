import { validateConfig } from '@dlfs/core';
import type { LayerRegistry } from '@dlfs/layers';
import { type DType, formatShape, shapeSize } from '@dlfs/tensor';
import { type NetworkSpec, SpecError } from './spec.js';

/**
 * The most layers a network may have. The book's deepest network (chapter 8's deep CNN) has about
 * twenty; a thousand is far past any network of the book, yet small enough that a hand-edited
 * file with thousands of layers is refused at once instead of running for minutes.
 */
export const MAX_LAYERS = 1000;

/**
 * The most elements one tensor may have, per sample for inputs and outputs: 2^27, 512 MiB as
 * float32 (1 GiB as float64). The largest layer of VGG-16 (7·7·512 → 4096, shown in chapter 8)
 * has about 2^26.6 weights, so it fits, and a single typed array stays far below what a
 * JavaScript engine hands out in one piece (2^32 elements in Node 20).
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 27;

/**
 * The most elements the params and state of a network may have in all: 2^28, 1 GiB as float32.
 * Training keeps grads of the same size and Adam two more buffers of it (m and v) in WASM memory,
 * whose 32-bit address space is 4 GiB: 1 + 1 + 2 GiB is all of it.
 */
export const MAX_NETWORK_ELEMENTS = 2 ** 28;

const BYTES: Record<DType, number> = { float32: 4, float64: 8 };

export interface PlanOptions {
  registry: LayerRegistry;
  /**
   * Shape of one input sample as the data has it ([784] for a CSV row); a spec's own inputShape
   * views those features and must hold as many (as Network.build).
   */
  inputShape: readonly number[];
  /** The dtype the network would be built in, for the byte counts of messages; float32 by default (as Network.build). */
  dtype?: DType;
  /** Where the spec came from, for error messages. */
  source?: string;
  /** The spec position of `spec.layers[0]`, for messages when a part of a spec is planned (default 0). */
  firstIndex?: number;
}

/** One layer as planned: the shapes its def's `shapes` gave, checked against the limits. */
export interface LayerPlan {
  readonly index: number;
  readonly type: string;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** Param shapes by the layer's own keys, in the order create gives them. */
  readonly params: Readonly<Record<string, readonly number[]>>;
  readonly state: Readonly<Record<string, readonly number[]>>;
}

/** What a spec implies, known without allocating anything. */
export interface NetworkPlan {
  /** One sample as the layers see it: the spec's inputShape, or the data's. */
  readonly inputShape: readonly number[];
  readonly dtype: DType;
  /** The planned layers: every layer, or those before `unplannedFrom`. */
  readonly layers: readonly LayerPlan[];
  /**
   * The first layer whose def has no `shapes` (a plugin): nothing is known from it on, so its
   * tensors and everything after it are checked only when the network is built. Undefined when
   * every layer was planned.
   */
  readonly unplannedFrom: number | undefined;
  /** The network's output per sample, when every layer was planned. */
  readonly outputShape: readonly number[] | undefined;
  /** Elements of the params and state of the planned layers. */
  readonly elements: number;
  /** Those elements' bytes in `dtype`. */
  readonly bytes: number;
}

/**
 * Walks a spec with every def's validate and `shapes`, without allocating, and enforces the
 * limits: at most MAX_LAYERS layers, input features, every planned tensor (params, state, each
 * layer's output per sample) at most MAX_TENSOR_ELEMENTS, and params and state together at most
 * MAX_NETWORK_ELEMENTS. A breach is a SpecError naming the layer (position and type) and the
 * bytes it would need. Network.build runs it first; parseModel runs it to compare a file's
 * tensors with what its spec implies before building.
 */
export function planNetwork(spec: NetworkSpec, opts: PlanOptions): NetworkPlan {
  const source = opts.source ?? 'spec';
  const dtype = opts.dtype ?? 'float32';
  const bytesEach = BYTES[dtype] ?? 4;
  const data = opts.inputShape as unknown;
  if (!Array.isArray(data) || data.length === 0 || !data.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new TypeError(`planNetwork: inputShape must be a non-empty array of whole numbers >= 1 (one sample, no batch axis), got ${JSON.stringify(data)}`);
  }
  if (!Array.isArray(spec?.layers)) throw new TypeError('planNetwork: spec.layers must be an array of layer specs (see parseSpec)');
  /** A tensor of `elements` (one sample's, for inputs and outputs) within MAX_TENSOR_ELEMENTS, or a SpecError. */
  const within = (elements: number, subject: string, path: string, fix: string): void => {
    if (elements <= MAX_TENSOR_ELEMENTS) return;
    throw new SpecError(
      source,
      path,
      `${subject} would have ${count(elements)} elements (${bytes(elements * bytesEach)} as ${dtype}); the limit is ${count(MAX_TENSOR_ELEMENTS)} ` +
        `(${bytes(MAX_TENSOR_ELEMENTS * bytesEach)} as ${dtype}) per tensor: ${fix}`,
    );
  };
  const features = shapeSize(data);
  within(features, `one input sample ${formatShape(data)}`, 'inputShape', 'give rows with fewer features');
  let inputShape: readonly number[] = data;
  if (spec.inputShape !== undefined) {
    const want = shapeSize(spec.inputShape);
    if (want !== features) {
      throw new SpecError(
        source,
        'inputShape',
        `${formatShape(spec.inputShape)} takes ${want} features per sample but the data has ${features} per row; ` +
          `give an inputShape whose sizes multiply to ${features}, or data with ${want} feature columns`,
      );
    }
    inputShape = spec.inputShape;
  }
  if (spec.layers.length > MAX_LAYERS) {
    throw new SpecError(
      source,
      'layers',
      `has ${count(spec.layers.length)} layers but a network may have at most ${count(MAX_LAYERS)} (MAX_LAYERS); ` +
        'a hand-edited or generated spec may have repeated them: give the layers you mean',
    );
  }
  const layers: LayerPlan[] = [];
  let shape: readonly number[] = inputShape;
  let elements = 0;
  let unplannedFrom: number | undefined;
  for (let i = 0; i < spec.layers.length; i++) {
    const layerSpec = spec.layers[i]!;
    const type = layerSpec.type;
    const from = opts.registry.sourceOf(type);
    const where = `layers[${i + (opts.firstIndex ?? 0)}] (${type}${from === undefined ? '' : `, from ${from}`})`;
    const input = shape;
    const fail = (err: unknown): never => {
      const reason = err instanceof Error ? err.message : String(err);
      throw new SpecError(source, where, `${reason} (its input has shape ${formatShape(input)})`, { cause: err });
    };
    let planned: ReturnType<typeof shapesOf>;
    try {
      const def = opts.registry.get(type);
      if (typeof def.shapes !== 'function') {
        unplannedFrom = i;
        break;
      }
      const { type: _type, ...config } = layerSpec;
      planned = shapesOf(def.shapes(validateConfig(def, config), input));
    } catch (err) {
      return fail(err);
    }
    for (const [section, tensors] of [
      ['params', planned.params],
      ['state', planned.state],
    ] as const) {
      for (const [key, tensorShape] of Object.entries(tensors)) {
        const n = shapeSize(tensorShape);
        const subject = `${section === 'state' ? 'state ' : ''}${key} ${formatShape(tensorShape)}`;
        within(n, subject, where, `make the layer smaller (its input has shape ${formatShape(input)})`);
        elements += n;
        if (elements > MAX_NETWORK_ELEMENTS) {
          throw new SpecError(
            source,
            where,
            `with ${key} ${formatShape(tensorShape)} the network's params and state would reach ${count(elements)} elements ` +
              `(${bytes(elements * bytesEach)} as ${dtype}); a network may have at most ${count(MAX_NETWORK_ELEMENTS)} ` +
              `(${bytes(MAX_NETWORK_ELEMENTS * bytesEach)} as ${dtype}): make its layers smaller or fewer (its input has shape ${formatShape(input)})`,
          );
        }
      }
    }
    const out = planned.outputShape;
    within(shapeSize(out), `its output per sample ${formatShape(out)}`, where, `make the layer smaller (its input has shape ${formatShape(input)})`);
    layers.push(Object.freeze({ index: i, type, inputShape: input, ...planned }));
    shape = planned.outputShape;
  }
  return Object.freeze({
    inputShape,
    dtype,
    layers: Object.freeze(layers),
    unplannedFrom,
    outputShape: unplannedFrom === undefined ? shape : undefined,
    elements,
    bytes: elements * bytesEach,
  });
}

/** What a def's shapes returned, checked to be shapes (a plugin's may not be), and frozen. */
function shapesOf(result: unknown): {
  outputShape: readonly number[];
  params: Readonly<Record<string, readonly number[]>>;
  state: Readonly<Record<string, readonly number[]>>;
} {
  if (typeof result !== 'object' || result === null) throw new TypeError(`shapes() must return { outputShape, params, state? }, got ${String(result)}`);
  const { outputShape, params, state = {} } = result as Record<string, unknown>;
  const isShape = (s: unknown, min: number): s is number[] => Array.isArray(s) && s.every((d) => Number.isInteger(d) && d >= min);
  if (!isShape(outputShape, 1) || outputShape.length === 0) {
    throw new TypeError(`shapes() must give outputShape as a non-empty list of whole numbers >= 1, got ${JSON.stringify(outputShape)}`);
  }
  const record = (value: unknown, field: string): Readonly<Record<string, readonly number[]>> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TypeError(`shapes() must give ${field} as an object of shapes, got ${JSON.stringify(value)}`);
    }
    for (const [key, s] of Object.entries(value)) {
      if (!isShape(s, 0)) throw new TypeError(`shapes() must give ${field}.${key} as a list of whole numbers >= 0, got ${JSON.stringify(s)}`);
    }
    return Object.freeze(Object.fromEntries(Object.entries(value).map(([k, s]) => [k, Object.freeze([...(s as number[])])])));
  };
  return { outputShape: Object.freeze([...outputShape]), params: record(params, 'params'), state: record(state, 'state') };
}

/** A count with thousands separators (1,568,000,000); beyond what a double holds exactly, in exponent form. */
function count(n: number): string {
  if (!Number.isFinite(n)) return 'more than 1e308';
  return n <= Number.MAX_SAFE_INTEGER ? n.toLocaleString('en-US') : `about ${n.toExponential(2)}`;
}

/** Bytes in binary units: 512 MiB, 5.7 TiB. */
function bytes(n: number): string {
  if (!Number.isFinite(n)) return 'more than 1e308 bytes';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${v} bytes`;
  return `${v < 10 ? Number(v.toFixed(1)) : Math.round(v)} ${units[u]}`;
}
