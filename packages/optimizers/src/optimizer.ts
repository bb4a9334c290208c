import type { ConfigSchema } from '@dlfs/core';
import type { Tensor } from '@dlfs/tensor';

/**
 * An optimizer (6.1): `update` moves every param against its gradient, in place, writing into
 * `params[key].data`; the tensors themselves stay the same objects, so a layer's params see the
 * step. State such as Momentum's velocity is kept per param key, made on the key's first
 * update and reused after, so an update allocates nothing once every key has been seen.
 */
export interface Optimizer {
  /** The registry type that builds it: "sgd", "adam". */
  readonly type: string;
  /** One step for every key of `params`; `grads` must hold a tensor of the same shape under each key. */
  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void;
}

/** The types of the optimizers this package ships. */
export type BuiltinOptimizerType = 'sgd' | 'momentum' | 'nesterov' | 'adagrad' | 'rmsprop' | 'adam';

/**
 * An optimizer as data: what a trainer, the CLI or a plugin author names in a config. A plain
 * object, registered by `type`. Write `C` as a type alias (`type MyConfig = { ... }`), not an
 * interface, so the def fits `OptimizerDef` and an `OptimizerRegistry`.
 */
export interface OptimizerDef<C = Record<string, unknown>, T extends string = string> {
  /** The registry key: "sgd", "adam". */
  readonly type: T;
  /** One line for `dlfs optimizers` and the like. */
  readonly description: string;
  /** The config described declaratively (see @dlfs/core's defineConfig); built-ins derive validate and configFields from it. */
  readonly config?: ConfigSchema<C>;
  /** Each config field with a one-line description that gives its default. */
  readonly configFields: Readonly<Record<string, string>>;
  /** Checks an untrusted config (from JSON) and returns it typed, or throws an error naming the field. */
  validate(config: unknown): C;
  create(config: C): Optimizer;
}
