import type { ConfigSchema } from '@dlfs/core';
import type { Tensor } from '@dlfs/tensor';
import type { Labels } from './labels.js';

/**
 * The last layer of a network (5.6.3): forward turns scores and labels into the scalar loss
 * and caches what backward needs; backward returns dL/dx scaled by `dout` (1 by default).
 */
export interface LossLayer {
  forward(x: Tensor, t: Labels): number;
  backward(dout?: number): Tensor;
}

/** What code outside a loss may know about it, declared on its def. */
export interface LossCapabilities {
  /**
   * The network's output is one score per class and the labels are classes: the output must
   * have as many values as the data has classes, and accuracy means something.
   */
  readonly classifier?: boolean;
}

/** A loss layer as data: what a spec's "loss" names. A plain object, registered by `type`. */
export interface LossDef<C = Record<string, unknown>> {
  /** The registry key and a spec's "loss": "softmax-with-loss". */
  readonly type: string;
  /** One line for listings. */
  readonly description?: string;
  /** The config described declaratively (see @dlfs/core's defineConfig). */
  readonly config?: ConfigSchema<C>;
  readonly configFields?: Readonly<Record<string, string>>;
  readonly capabilities?: LossCapabilities;
  create(config: C): LossLayer;
  validate?(config: unknown): C;
}
