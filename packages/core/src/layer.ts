import type { DType, Rng, Tensor } from '@dlfs/tensor';
import type { ConfigSchema } from './config-schema.js';

/**
 * What a forward pass needs to know, and all it needs to be replayed exactly: the same
 * context (the same `rng` seed, state frozen) and the same input give the same output.
 */
export interface ForwardContext {
  /** A training pass (dropout drops, batch-norm normalises with the batch's statistics) or an evaluation pass. */
  train: boolean;
  /**
   * The random stream of this pass. A layer that draws random numbers in forward (a dropout
   * mask) draws them from here, so a trainer decides the stream and a gradient check replays it
   * by passing a new Rng of the same seed to every probe. Without one, the layer draws from the
   * Rng it was created with.
   */
  rng?: Rng;
  /**
   * Whether the pass may update the layer's `state` (batch-norm's running mean and variance).
   * Defaults to `train`. A gradient check passes false, so that every probe sees the same state.
   */
  updateState?: boolean;
}

/** What backward needs to know about the pass. */
export interface BackwardContext {
  /**
   * false when nobody needs dx (the network's first layer): the layer may skip computing it and
   * return an empty tensor. Its grads are filled either way.
   */
  inputGradient?: boolean;
}

/**
 * A layer of the network (5.5, 5.6). forward caches what backward needs; backward takes the
 * upstream gradient dout, fills `grads` and returns dx. `params` are the very tensors an
 * optimizer updates in place; `grads` has the same keys and shapes.
 *
 * A layer may return the same output (and dx) tensor from call to call, overwriting it, so that
 * training allocates nothing: a forward's result is valid until the next forward in the same
 * mode (train or not), a backward's until the next backward. Copy what you keep.
 */
export interface Layer {
  forward(x: Tensor, ctx?: ForwardContext): Tensor;
  backward(dout: Tensor, ctx?: BackwardContext): Tensor;
  readonly params: Readonly<Record<string, Tensor>>;
  readonly grads: Readonly<Record<string, Tensor>>;
  /**
   * Tensors saved and restored with the model but never trained: batch-norm's running mean and
   * variance. Optimizers and weight decay never see them; a forward with `updateState` changes
   * them in place. Its keys must differ from the params' keys.
   */
  readonly state?: Readonly<Record<string, Tensor>>;
  /**
   * Shape of one output sample (without the batch axis). May be left out: a registry or a
   * network finds it by one forward pass of a zero sample (see resolveLayer), and gives back the
   * layer with it set.
   */
  readonly outputShape?: readonly number[];
  /**
   * Optional, for layers with kinks (ReLU at 0): which branch each element took in the last
   * forward. A gradient check compares it before and after a finite step to tell a step that
   * crossed a kink from a wrong backward.
   */
  kinkSignature?(): ArrayLike<number | boolean>;
}

/** What `create` gets besides the config. */
export interface CreateContext {
  /** The source of the layer's randomness at creation (weight init), and of its passes' when a pass brings no rng. */
  rng: Rng;
  /** Shape of one input sample, without the batch axis: [784] for flattened MNIST, [1, 28, 28] for an image. */
  inputShape: readonly number[];
  /** dtype of the parameters; float64 when not given. */
  dtype?: DType;
}

/**
 * What code outside a layer may know about it, declared on its def instead of read off its type
 * name: the CLI, the training doctor and the demos ask these, never compare a type string.
 */
export interface LayerCapabilities {
  /**
   * The config field that sets the scale of the initial weights (a std, "xavier" or "he"):
   * `dlfs train --init` fills it in wherever a spec leaves it out.
   */
  readonly weightInit?: string;
  /**
   * The layer's output is exactly 0 where a unit is inactive (ReLU): a unit that is 0 for every
   * sample is dead, and the training doctor reports a layer where most units died.
   */
  readonly deadUnits?: boolean;
  /**
   * The params weight decay applies to (6.4.1: ½λ‖W‖² added to the loss, λW to the gradient):
   * weight matrices and filters, ['W'] for affine and conv2d; never biases, gamma or beta.
   */
  readonly weightDecay?: readonly string[];
  /** Its layers expose kinkSignature() (non-smooth points such as ReLU's 0). */
  readonly kinks?: boolean;
  /** Its forward draws random numbers in training (from the pass's rng). */
  readonly random?: boolean;
  /** Its layers keep `state` beside their params. */
  readonly stateful?: boolean;
  /**
   * Element-wise, non-decreasing, and with a zero gradient wherever two inputs give one output
   * (ReLU): the max of a window of its outputs is its output of the window's max, and the
   * gradients agree too. A network runs such a layer after a `windowMax` layer that follows it
   * (pooling first, on a quarter of the elements for 2×2 windows); see Network.runOrder.
   */
  readonly commutesWithMax?: boolean;
  /**
   * Each output is the max of a window of its input, and backward gives each output's gradient
   * to the first maximum of its window (summed where windows overlap), nothing to the rest
   * (max pooling).
   */
  readonly windowMax?: boolean;
}

/** What a contributor ships: a plain object, registered by `type`. */
export interface LayerDef<C = Record<string, unknown>> {
  /** The registry key and the `type` of a spec entry: "affine", "relu". */
  readonly type: string;
  /** One line for `dlfs layers`. */
  readonly description?: string;
  /**
   * The config described declaratively: from it come `validate` (when the def has none of its
   * own) and the lines `dlfs layers` prints. See defineConfig.
   */
  readonly config?: ConfigSchema<C>;
  /** For defs without `config`: each config field with a one-line description, for `dlfs layers`. */
  readonly configFields?: Readonly<Record<string, string>>;
  /** What code outside the layer may rely on (see LayerCapabilities). */
  readonly capabilities?: LayerCapabilities;
  create(config: C, ctx: CreateContext): Layer;
  /**
   * The shapes `create` would make, computed without allocating: the output shape of one sample
   * and the shape of every param and state tensor, under the keys and in the order `create` gives
   * them. Lets a model file or a spec be checked (against size limits, against the tensors a file
   * holds) before any memory is taken. Optional: of a network whose def has none, nothing is
   * known from that layer on until it is built.
   */
  shapes?(
    config: C,
    inputShape: readonly number[],
  ): { outputShape: number[]; params: Record<string, readonly number[]>; state?: Record<string, readonly number[]> };
  /** Checks an untrusted config (from JSON) and returns it typed, or throws a clear error. */
  validate?(config: unknown): C;
  /**
   * The layer's evaluation-mode forward as standard ONNX operators, for `toOnnx` of @dlfs/onnx:
   * adds nodes and constants through `ctx` and returns the name of the tensor that holds the
   * output, [N, ...outputShape] in float32. Without it a model with this layer cannot be exported
   * (the error names the type and the plugin module). Only types live here, so @dlfs/core does
   * not depend on the exporter.
   */
  onnx?(layer: Layer, ctx: OnnxLayerContext<C>): string;
}

/**
 * An ONNX attribute value: a whole number is an INT, any other number a FLOAT; an array of whole
 * numbers INTS, of other numbers FLOATS; a string a STRING. `{ float }` and `{ floats }` make a
 * FLOAT (or FLOATS) of a whole number too.
 */
export type OnnxAttribute = number | string | readonly number[] | { readonly float: number } | { readonly floats: readonly number[] };

/** What a LayerDef's `onnx` mapping gets: where its input is, the shapes, its config and a graph to add to. */
export interface OnnxLayerContext<C = Record<string, unknown>> {
  /** Name of the graph tensor that holds the layer's input: float32 [N, ...inputShape], N the batch. */
  readonly input: string;
  /** Shape of one input sample (no batch axis): [784], or [1, 28, 28] for an image. */
  readonly inputShape: readonly number[];
  /** Shape of one output sample (no batch axis): what the returned tensor must hold per sample. */
  readonly outputShape: readonly number[];
  /** The layer's config, as the spec gave it and the def's validate returned it (defaults not filled in). */
  readonly config: C;
  /** The ONNX opset the graph is written in (13 or newer): which operators and attributes exist. */
  readonly opset: number;
  /**
   * Adds a node of a standard ONNX operator (domain ai.onnx) and returns the name of its (first)
   * output, unique in the graph: `node('Gemm', [ctx.input, W, b], { transB: 0 })`.
   */
  node(opType: string, inputs: readonly string[], attributes?: Readonly<Record<string, OnnxAttribute>>): string;
  /**
   * Adds a constant tensor (an initializer) and returns its graph name, made unique by the layer's
   * position: float32 by default (a float64 param is rounded to float32), or int64 (a Reshape's
   * shape). `data` is row-major and holds as many values as `shape` says.
   */
  constant(name: string, data: ArrayLike<number>, shape: readonly number[], dtype?: 'float32' | 'int64'): string;
}

/**
 * One entry of a network spec, as JSON holds it: `{ "type": "affine", "units": 50 }`.
 * Everything besides `type` is the layer's config.
 */
export type LayerSpec = { readonly type: string } & Readonly<Record<string, unknown>>;

/** What validate, describe and the registry need of a def: its config described one way or the other. */
export interface Configurable<C> {
  readonly config?: ConfigSchema<C>;
  readonly configFields?: Readonly<Record<string, string>>;
  validate?(config: unknown): C;
}

/** The def's own validate, else its schema's, else the config as given. */
export function validateConfig<C>(def: Configurable<C>, config: unknown): C {
  if (typeof def.validate === 'function') return def.validate(config);
  if (def.config !== undefined) return def.config.validate(config);
  return config as C;
}

/** One line per config field, for `dlfs layers`: from the schema when the def has one. */
export function describeConfig<C>(def: Configurable<C>): Readonly<Record<string, string>> {
  return def.config?.describe() ?? def.configFields ?? {};
}
