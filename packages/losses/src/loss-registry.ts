import { DuplicateTypeError, Registry, UnknownTypeError, validateConfig } from '@dlfs/core';
import type { LossDef, LossLayer } from './loss-layer.js';

/** Thrown by `LossRegistry.get` and `create` for a type nobody registered; lists the known types. */
export class UnknownLossError extends UnknownTypeError {
  constructor(type: string, knownTypes: readonly string[]) {
    super('loss', type, knownTypes);
    this.name = 'UnknownLossError';
  }
}

/** Thrown by `LossRegistry.register` when the type is already taken. */
export class DuplicateLossError extends DuplicateTypeError {
  constructor(type: string) {
    super('loss', type);
    this.name = 'DuplicateLossError';
  }
}

/** The loss types a spec's "loss" may name, built from an explicit list like LayerRegistry. */
export class LossRegistry extends Registry<LossDef> {
  constructor(defs: Iterable<LossDef> = []) {
    super({ noun: 'loss', article: 'a', owner: 'LossRegistry' }, defs);
  }

  protected override missing(def: LossDef): string | undefined {
    return typeof def.create === 'function' ? undefined : 'has no create(config) function';
  }

  protected override unknownError(type: string): Error {
    return new UnknownLossError(type, this.types());
  }

  protected override duplicateError(type: string): Error {
    return new DuplicateLossError(type);
  }

  /** A new loss layer of `type` from an untrusted config (nothing for the defaults). */
  create(type: string, config?: unknown): LossLayer {
    const def = this.get(type);
    return def.create(validateConfig(def, config));
  }
}
