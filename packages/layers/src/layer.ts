import type { DType, Rng, Tensor } from '@dlfs/tensor';

/** What forward needs to know about the pass: layers such as dropout behave differently in training. */
export interface ForwardContext {
  train: boolean;
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
  /** Shape of one output sample (without the batch axis). */
  readonly outputShape: readonly number[];
  /**
   * Optional, for layers with kinks (ReLU at 0): which branch each element took in the last
   * forward. A gradient check compares it before and after a finite step to tell a step that
   * crossed a kink from a wrong backward.
   */
  kinkSignature?(): ArrayLike<number | boolean>;
}

/** What `create` gets besides the config. */
export interface CreateContext {
  /** The source of all randomness (weight init, dropout masks). */
  rng: Rng;
  /** Shape of one input sample, without the batch axis: [784] for flattened MNIST. */
  inputShape: readonly number[];
  /** dtype of the parameters; float64 when not given. */
  dtype?: DType;
}

/** What a contributor ships: a plain object, registered by `type`. */
export interface LayerDef<C = Record<string, unknown>> {
  /** The registry key and the `type` of a spec entry: "affine", "relu". */
  readonly type: string;
  /** One line for `dlfs layers`. */
  readonly description?: string;
  /** The config fields, each with a one-line description, for `dlfs layers`. */
  readonly configFields?: Readonly<Record<string, string>>;
  create(config: C, ctx: CreateContext): Layer;
  /** Checks an untrusted config (from JSON) and returns it typed, or throws a clear error. */
  validate?(config: unknown): C;
}

/**
 * One entry of a network spec, as JSON holds it: `{ "type": "affine", "units": 50 }`.
 * Everything besides `type` is the layer's config.
 */
export type LayerSpec = { readonly type: string } & Readonly<Record<string, unknown>>;
