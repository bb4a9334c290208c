import type { ForwardContext } from '@dlfs/core';
import type { ShapedLayer } from '@dlfs/core';
import { LayerCreateError, type LayerDef, type LayerRegistry } from '@dlfs/layers';
import { builtinLosses, type Labels, type LossDef, type LossLayer, type LossRegistry } from '@dlfs/losses';
import { argmax, axpy, type DType, formatShape, Rng, ShapeError, sameShape, shapeSize, sliceRows, Tensor } from '@dlfs/tensor';
import { planNetwork } from './network-plan.js';
import { type NetworkSpec, SpecError } from './spec.js';

export interface BuildOptions {
  registry: LayerRegistry;
  /** The loss types a spec may name; the built-in losses when not given. */
  losses?: LossRegistry;
  /**
   * Shape of one input sample as the data has it: [784] for rows of a CSV. A spec's own
   * inputShape ([1, 28, 28]) views those features in its shape and must hold as many.
   */
  inputShape: readonly number[];
  rng: Rng;
  /** float32 for training speed (default), float64 for gradient checks. */
  dtype?: DType;
  /** When given and the loss classifies, the network's output must have one value per class. */
  classes?: number;
  /** Where the spec came from, for error messages. */
  source?: string;
}

/** Where a network-level name ("W2") lives: layer index and the layer's own key ("W"). */
export interface NamedTensor {
  readonly name: string;
  readonly layer: number;
  readonly key: string;
}

/**
 * The book's names for the tensors of every layer: the k-th layer that has a tensor called W
 * names it W{k}, the k-th with gamma gamma{k}, each name counted on its own. So Affine, BatchNorm,
 * Affine gives W1, b1, gamma1, beta1, W2, b2 (as the book's MultiLayerNetExtend), and inserting a
 * normalisation layer never renames the weights after it.
 */
export function bookNames(records: readonly Readonly<Record<string, unknown>>[]): NamedTensor[] {
  const seen = new Map<string, number>();
  const out: NamedTensor[] = [];
  records.forEach((record, layer) => {
    for (const key of Object.keys(record)) {
      const k = (seen.get(key) ?? 0) + 1;
      seen.set(key, k);
      out.push({ name: `${key}${k}`, layer, key });
    }
  });
  return out;
}

function named(
  layers: readonly ShapedLayer[],
  entries: readonly NamedTensor[],
  pick: (l: ShapedLayer) => Readonly<Record<string, Tensor>> | undefined,
): Readonly<Record<string, Tensor>> {
  return Object.freeze(Object.fromEntries(entries.map((e) => [e.name, pick(layers[e.layer]!)![e.key]!])));
}

/** The pass of predict(x, true): training, drawing from the layers' own Rngs, state updated. */
const TRAIN: ForwardContext = Object.freeze({ train: true });
const EVAL: ForwardContext = Object.freeze({ train: false });
/** Numbers (8 MiB of float32) the widest layer output of one evaluation chunk may hold. */
const EVAL_CHUNK_ELEMENTS = 2 ** 21;

/**
 * A network built from a spec (5.7.2's TwoLayerNet, generalised): the layers in order, then the
 * loss layer. Parameters are named like the book's (see bookNames): W1, b1 for the first layer
 * with W and b, W2, b2 for the second, gamma1, beta1 for the first with gamma and beta; they are
 * the layers' own tensors. `state` (batch-norm's running statistics) is named the same way.
 */
export class Network {
  readonly spec: NetworkSpec;
  /** Shape of one input sample as the layers see it: the spec's inputShape, or the data's row. */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly dtype: DType;
  readonly layers: readonly ShapedLayer[];
  /** The module each layer's def came from, when it came from a plugin (LayerRegistry.sourceOf). */
  readonly layerSources: readonly (string | undefined)[];
  /** The def of every layer, in order: what capabilities each declares. */
  readonly layerDefs: readonly LayerDef[];
  readonly lossDef: LossDef;
  readonly lossLayer: LossLayer;
  readonly params: Readonly<Record<string, Tensor>>;
  readonly grads: Readonly<Record<string, Tensor>>;
  /** Tensors saved with the model but never trained (running statistics), by book name. */
  readonly state: Readonly<Record<string, Tensor>>;
  /** Where every param name lives. */
  readonly paramNames: readonly NamedTensor[];
  /** The params weight decay applies to (what each layer's def declares in capabilities.weightDecay): W1, W2, ... */
  readonly decayed: readonly string[];
  /**
   * λ of weight decay (6.4.1), as the book's MultiLayerNetExtend(weight_decay_lambda): loss and
   * gradient add ½λ Σ‖W‖² and λW over the `decayed` params. 0 (none) unless set.
   */
  weightDecay = 0;
  private readonly decayedTensors: readonly { W: Tensor; dW: Tensor }[];
  /**
   * The spec positions in the order predict and gradient run the layers: the spec's order, but
   * for a layer that commutes with a window's max (ReLU, capabilities.commutesWithMax) right
   * before layers that take one (max pooling, capabilities.windowMax), which runs after them:
   * conv → ReLU → pool runs as conv → pool → ReLU, the same numbers in both passes with ReLU on
   * a quarter of the elements (2×2 windows). `layers` stays in the spec's order.
   */
  readonly runOrder: readonly number[];
  /** The layers as run, runOrder[i]'s at i: `layers`' own, but a moved layer is another of its kind, made for the shape it then sees. */
  private readonly run: readonly ShapedLayer[];
  readonly stateNames: readonly NamedTensor[];

  private constructor(
    spec: NetworkSpec,
    inputShape: readonly number[],
    dtype: DType,
    layers: ShapedLayer[],
    defs: LayerDef[],
    sources: (string | undefined)[],
    lossDef: LossDef,
    lossLayer: LossLayer,
    run: { order: readonly number[]; layers: readonly ShapedLayer[] },
  ) {
    this.spec = spec;
    this.inputShape = Object.freeze([...inputShape]);
    this.dtype = dtype;
    this.layers = Object.freeze(layers);
    this.layerDefs = Object.freeze(defs);
    this.layerSources = Object.freeze(sources);
    this.outputShape = layers.at(-1)?.outputShape ?? this.inputShape;
    this.lossDef = lossDef;
    this.lossLayer = lossLayer;
    this.paramNames = Object.freeze(bookNames(layers.map((l) => l.params)));
    this.stateNames = Object.freeze(bookNames(layers.map((l) => l.state ?? {})));
    this.params = named(layers, this.paramNames, (l) => l.params);
    this.decayed = Object.freeze(this.paramNames.filter((n) => defs[n.layer]?.capabilities?.weightDecay?.includes(n.key) === true).map((n) => n.name));
    this.grads = named(layers, this.paramNames, (l) => l.grads);
    this.state = named(layers, this.stateNames, (l) => l.state);
    this.decayedTensors = Object.freeze(this.decayed.map((name) => ({ W: this.params[name]!, dW: this.grads[name]! })));
    this.runOrder = Object.freeze([...run.order]);
    this.run = Object.freeze([...run.layers]);
  }

  static build(spec: NetworkSpec, opts: BuildOptions): Network {
    checkBuildOptions(opts);
    // The layer count, every planned tensor and the total against the limits, before any layer allocates.
    const plan = planNetwork(spec, opts);
    const source = opts.source ?? 'spec';
    const dtype = opts.dtype ?? 'float32';
    let inputShape: readonly number[] = opts.inputShape;
    if (spec.inputShape !== undefined) {
      const want = shapeSize(spec.inputShape);
      const have = shapeSize(opts.inputShape);
      if (want !== have) {
        throw new SpecError(
          source,
          'inputShape',
          `${formatShape(spec.inputShape)} takes ${want} features per sample but the data has ${have} per row; ` +
            `give an inputShape whose sizes multiply to ${have}, or data with ${want} feature columns`,
        );
      }
      inputShape = spec.inputShape;
    }
    const losses = opts.losses ?? builtinLosses();
    let lossDef: LossDef;
    let lossLayer: LossLayer;
    try {
      lossDef = losses.get(spec.loss);
      lossLayer = losses.create(spec.loss);
    } catch (err) {
      throw new SpecError(source, 'loss', err instanceof Error ? err.message : String(err));
    }
    let shape: readonly number[] = inputShape;
    const defs: LayerDef[] = [];
    const sources: (string | undefined)[] = [];
    const layers = spec.layers.map((layerSpec, i) => {
      const from = opts.registry.sourceOf(layerSpec.type);
      // Past a layer the plan could not see through (a plugin without shapes), each layer's own
      // tensors are still checked against the limits, from the shape its input really has.
      if (plan.unplannedFrom !== undefined && i > plan.unplannedFrom) {
        planNetwork({ layers: [layerSpec], loss: spec.loss }, { registry: opts.registry, inputShape: shape, dtype, source, firstIndex: i });
      }
      try {
        defs.push(opts.registry.get(layerSpec.type));
        sources.push(from);
        const layer = opts.registry.create(layerSpec, { rng: opts.rng, inputShape: shape, dtype });
        shape = layer.outputShape;
        return layer;
      } catch (err) {
        const reason = err instanceof LayerCreateError && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
        const where = `layers[${i}] (${layerSpec.type}${from === undefined ? '' : `, from ${from}`})`;
        throw new SpecError(source, where, `${reason} (its input has shape ${formatShape(shape)})`, { cause: err });
      }
    });
    const outputs = shapeSize(shape);
    if (opts.classes !== undefined && lossDef.capabilities?.classifier && outputs !== opts.classes) {
      throw new SpecError(
        source,
        `layers[${spec.layers.length - 1}]`,
        `the network ends with ${outputs} output${outputs === 1 ? '' : 's'} per sample but the data has ${opts.classes} classes; ` +
          `make the last layer's "units" ${opts.classes}`,
      );
    }
    const run = runPlan(layers, defs, (i, shape) => opts.registry.create(spec.layers[i]!, { rng: new Rng(0), inputShape: shape, dtype }));
    return new Network(spec, inputShape, dtype, layers, defs, sources, lossDef, lossLayer, run);
  }

  /** Whether the loss classifies (one score per class): what accuracy and predictClasses need. */
  get isClassifier(): boolean {
    return this.lossDef.capabilities?.classifier === true;
  }

  /** x as a batch of samples in the network's input shape: rows of features are viewed, not copied. */
  private view(x: Tensor): Tensor {
    const features = shapeSize(this.inputShape);
    if (x.ndim < 1 || shapeSize(x.shape.slice(1)) !== features) {
      throw new ShapeError('network', [x.shape, [-1, ...this.inputShape]], `the input must have ${features} features per sample, as the network was built for`);
    }
    return sameShape(x.shape.slice(1), this.inputShape) ? x : x.reshape([x.shape[0]!, ...this.inputShape]);
  }

  /**
   * Scores (before the loss layer's softmax) for a batch. `ctx` says which pass: evaluation by
   * default; `true` is a training pass (dropout drops, batch-norm uses and updates its batch statistics).
   */
  predict(x: Tensor, ctx: ForwardContext | boolean = EVAL): Tensor {
    const pass = ctx === true ? TRAIN : ctx === false ? EVAL : ctx;
    let h = this.view(x);
    const { run, runOrder } = this;
    for (let i = 0; i < run.length; i++) {
      try {
        h = run[i]!.forward(h, pass);
      } catch (err) {
        throw this.failure(runOrder[i]!, 'forward', err);
      }
      if (!(h instanceof Tensor)) throw this.failure(runOrder[i]!, 'forward', new TypeError(`returned ${h === null ? 'null' : typeof h}, not a Tensor`));
    }
    return h;
  }

  /** The loss of a batch, in the pass `ctx` says (evaluation by default). */
  loss(x: Tensor, t: Labels, ctx: ForwardContext | boolean = EVAL): number {
    return this.lossLayer.forward(this.predict(x, ctx), t) + this.decayLoss();
  }

  /** 6.4.1: ½λ Σ‖W‖² over the decayed params (0 without weight decay). */
  private decayLoss(): number {
    const lambda = this.weightDecay;
    if (lambda === 0) return 0;
    let s = 0;
    for (const { W } of this.decayedTensors) {
      const D = W.data;
      for (let i = 0; i < D.length; i++) s += D[i]! * D[i]!;
    }
    return 0.5 * lambda * s;
  }

  /** The scores of the last `gradient` call's batch, before the loss layer. */
  lastScores: Tensor | undefined;

  /**
   * 5.7.2: a forward pass (a training pass by default), then backward through every layer; fills
   * `grads` and returns the loss.
   */
  gradient(x: Tensor, t: Labels, ctx: ForwardContext = TRAIN): number {
    this.lastScores = this.predict(x, ctx);
    const loss = this.lossLayer.forward(this.lastScores, t) + this.decayLoss();
    let dout = this.lossLayer.backward(1);
    // Nobody needs the gradient of the input itself: the first layer run may skip computing it.
    const { run, runOrder } = this;
    for (let i = run.length - 1; i >= 0; i--) {
      try {
        dout = run[i]!.backward(dout, { inputGradient: i > 0 });
      } catch (err) {
        throw this.failure(runOrder[i]!, 'backward', err);
      }
      if (!(dout instanceof Tensor)) {
        throw this.failure(runOrder[i]!, 'backward', new TypeError(`returned ${dout === null ? 'null' : typeof dout}, not a Tensor`));
      }
    }
    // 6.4.1: the gradient of ½λ‖W‖² is λW, added to each decayed param's gradient.
    if (this.weightDecay !== 0) for (const { W, dW } of this.decayedTensors) axpy(this.weightDecay, W, dW);
    return loss;
  }

  /**
   * An error thrown by layer i: a plugin's becomes a LayerError naming the module, the type and
   * the spec position; a built-in's passes through as it is (it is dlfs's own).
   */
  private failure(i: number, pass: 'forward' | 'backward', err: unknown): unknown {
    const from = this.layerSources[i];
    if (from === undefined) return err;
    return new LayerError(from, this.spec.layers[i]!.type, i, pass, err);
  }

  /**
   * Rows per evaluation chunk: at most 1000, and few enough that the largest layer output of a
   * chunk holds about EVAL_CHUNK_ELEMENTS numbers (121 rows for SimpleConvNet's [30, 24, 24]),
   * so that evaluating any number of rows needs the same memory.
   */
  get evalChunk(): number {
    let widest = shapeSize(this.inputShape);
    for (const layer of this.layers) widest = Math.max(widest, shapeSize(layer.outputShape));
    return Math.max(1, Math.min(1000, Math.floor(EVAL_CHUNK_ELEMENTS / widest)));
  }

  /** The predicted class of every row, computed in chunks (evalChunk rows by default) so a large set needs little memory. */
  predictClasses(x: Tensor, chunk = this.evalChunk): Int32Array {
    this.view(x);
    const rows = x.shape[0]!;
    const out = new Int32Array(rows);
    for (let start = 0; start < rows; start += chunk) {
      const end = Math.min(rows, start + chunk);
      const scores = this.predict(rowsOf(x, start, end));
      out.set(argmax(scores.reshape([end - start, -1]), 1), start);
    }
    return out;
  }

  /** Fraction of rows whose predicted class equals the label. */
  accuracy(x: Tensor, labels: Int32Array, chunk = this.evalChunk): number {
    const predicted = this.predictClasses(x, chunk);
    if (predicted.length !== labels.length) {
      throw new ShapeError('accuracy', [x.shape, [labels.length]], `${predicted.length} rows but ${labels.length} labels`);
    }
    if (labels.length === 0) return 0;
    let hits = 0;
    for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
    return hits / labels.length;
  }

  /**
   * What a gradient check needs (5.7.3), for @dlfs/gradcheck's checkGradients: the parameters,
   * the loss on (x, t), a copy of its backprop gradient, and the kink branches. Loss and
   * gradient are taken in the same pass: a training pass by default (`train: false` for an
   * evaluation pass), replayed exactly for every probe: the same random stream (a new Rng of
   * `seed`, so dropout masks stay put) and state frozen (running statistics stay put).
   */
  gradientCheckTarget(
    x: Tensor,
    t: Labels,
    opts: { train?: boolean; seed?: number } = {},
  ): {
    params: Readonly<Record<string, Tensor>>;
    loss(): number;
    gradients(): Record<string, Tensor>;
    kinkSignature(): Uint8Array;
  } {
    const train = opts.train ?? true;
    const seed = opts.seed ?? 0;
    const pass = (): ForwardContext => ({ train, rng: new Rng(seed), updateState: false });
    return {
      params: this.params,
      loss: () => this.loss(x, t, pass()),
      gradients: () => {
        this.gradient(x, t, pass());
        return Object.fromEntries(Object.entries(this.grads).map(([k, g]) => [k, g.clone()]));
      },
      kinkSignature: () => this.kinkSignature(),
    };
  }

  /** Which branch each non-smooth unit took in the last forward (for the gradient check), layer by layer as run. */
  kinkSignature(): Uint8Array {
    const parts = this.run.map((l) => l.kinkSignature?.() ?? new Uint8Array(0));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      for (let i = 0; i < p.length; i++) out[offset + i] = p[i] ? 1 : 0;
      offset += p.length;
    }
    return out;
  }
}

/**
 * The order to run the layers in (see Network.runOrder): each layer whose def declares
 * commutesWithMax, has no params or state and is followed by layers whose defs declare windowMax
 * moves after them, as a new layer of its kind made by `make(position, inputShape)` for the
 * shape those layers give (or stays, when that cannot be made).
 */
function runPlan(
  layers: readonly ShapedLayer[],
  defs: readonly LayerDef[],
  make: (position: number, inputShape: readonly number[]) => ShapedLayer,
): { order: number[]; layers: ShapedLayer[] } {
  const order: number[] = [];
  const run: ShapedLayer[] = [];
  for (let i = 0; i < layers.length; ) {
    const layer = layers[i]!;
    let j = i + 1;
    const movable = defs[i]?.capabilities?.commutesWithMax === true && Object.keys(layer.params).length === 0 && Object.keys(layer.state ?? {}).length === 0;
    if (movable) while (j < layers.length && defs[j]?.capabilities?.windowMax === true) j++;
    let moved: ShapedLayer | undefined;
    if (j > i + 1) {
      // A layer that cannot be made for the smaller shape (a plugin's) runs where the spec has it.
      const shape = layers[j - 1]!.outputShape;
      try {
        moved = make(i, shape);
      } catch {
        moved = undefined;
      }
      if (moved !== undefined && !sameShape(moved.outputShape, shape)) moved = undefined;
    }
    if (moved === undefined) {
      order.push(i);
      run.push(layer);
      i++;
      continue;
    }
    for (let k = i + 1; k < j; k++) {
      order.push(k);
      run.push(layers[k]!);
    }
    order.push(i);
    run.push(moved);
    i = j;
  }
  return { order, layers: run };
}

/** Rows [start, end) of a row-major tensor, sharing its memory (@dlfs/tensor's sliceRows). */
export function rowsOf(x: Tensor, start: number, end: number): Tensor {
  return sliceRows(x, start, end);
}

/** A plugin layer's forward or backward threw (or returned no Tensor): the plugin's error, not dlfs's. */
export class LayerError extends Error {
  readonly source: string;
  readonly type: string;
  readonly position: number;
  constructor(source: string, type: string, position: number, pass: 'forward' | 'backward', cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${source}: layer "${type}" (layers[${position}]) failed in ${pass}: ${reason}`, { cause });
    this.name = 'LayerError';
    this.source = source;
    this.type = type;
    this.position = position;
  }
}

/** The arguments of Network.build, checked before anything is made: a TypeError names the one that is wrong. */
function checkBuildOptions(opts: BuildOptions): void {
  if (typeof opts !== 'object' || opts === null) throw new TypeError('Network.build: give options { registry, inputShape, rng }');
  const registry = opts.registry as Partial<LayerRegistry> | undefined;
  if (typeof registry?.create !== 'function' || typeof registry.get !== 'function' || typeof registry.sourceOf !== 'function') {
    throw new TypeError('Network.build: registry must be a LayerRegistry (builtinLayers() from @dlfs/layers, with any plugin registered)');
  }
  const shape = opts.inputShape as unknown;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
    throw new TypeError(`Network.build: inputShape must be a non-empty array of whole numbers >= 1 (one sample, no batch axis), got ${JSON.stringify(shape)}`);
  }
  if (!(opts.rng instanceof Rng)) throw new TypeError('Network.build: rng must be an Rng from @dlfs/tensor (new Rng(seed)), the source of the initial weights');
  if (opts.dtype !== undefined && opts.dtype !== 'float32' && opts.dtype !== 'float64') {
    throw new TypeError(`Network.build: dtype must be "float32" or "float64", got ${JSON.stringify(opts.dtype)}`);
  }
}
