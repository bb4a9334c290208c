import { DuplicateTypeError, Registry, UnknownTypeError } from '@dlfs/core';
import type { Optimizer, OptimizerDef } from './optimizer.js';

/** Thrown by `OptimizerRegistry.get` and `create` for a type nobody registered; lists the known types. */
export class UnknownOptimizerError extends UnknownTypeError {
  constructor(type: string, knownTypes: readonly string[]) {
    super('optimizer', type, knownTypes);
    this.name = 'UnknownOptimizerError';
  }
}

/** Thrown by `OptimizerRegistry.register` when the type is already taken. */
export class DuplicateOptimizerError extends DuplicateTypeError {
  constructor(type: string) {
    super('optimizer', type);
    this.name = 'DuplicateOptimizerError';
  }
}

/**
 * The optimizer types a trainer config may name. Built from an explicit list, never filled by
 * import side effects; each registry has its own table, so registering into one leaves every
 * other unchanged.
 */
export class OptimizerRegistry extends Registry<OptimizerDef> {
  constructor(defs: Iterable<OptimizerDef> = []) {
    super({ noun: 'optimizer', article: 'an', owner: 'OptimizerRegistry' }, defs);
  }

  protected override missing(def: OptimizerDef): string | undefined {
    return typeof def.validate === 'function' && typeof def.create === 'function' ? undefined : 'needs validate(config) and create(config) functions';
  }

  protected override unknownError(type: string): Error {
    return new UnknownOptimizerError(type, this.types());
  }

  protected override duplicateError(type: string): Error {
    return new DuplicateOptimizerError(type);
  }

  /**
   * A new optimizer of `type` from an untrusted config (`{ "lr": 0.1 }`; nothing for every
   * default), checked by the def's validate, whose errors name the type and the field.
   */
  create(type: string, config?: unknown): Optimizer {
    const def = this.get(type);
    return def.create(def.validate(config));
  }
}
