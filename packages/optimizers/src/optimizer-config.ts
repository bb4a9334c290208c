import { ConfigError, type ConfigSchema, defineConfig, type Field, type Fields, number, optional } from '@dlfs/core';

/** Thrown by a built-in optimizer's validate: names the optimizer type and, when one is to blame, the config field. */
export class OptimizerConfigError extends ConfigError {
  constructor(type: string, field: string | undefined, detail: string) {
    super(type, field, detail);
    this.name = 'OptimizerConfigError';
  }
}

/** The config schema of an optimizer type: validate fills in every default and throws OptimizerConfigError. */
export function optimizerConfig<C>(type: string, fields: Fields<C>, example: string): ConfigSchema<C> {
  return defineConfig(type, fields, { kind: 'optimizer', example, fillDefaults: true, error: (t, f, d) => new OptimizerConfigError(t, f, d) });
}

/** A learning rate η: a number > 0. */
export function learningRate(fallback: number): Field<number> {
  return optional(number({ gt: 0 }), 'learning rate η', { default: fallback });
}

/**
 * A momentum, decay rate or β: a number in [0, 1). 1 or more would let the running averages
 * grow without bound (and divide Adam's bias correction 1 − β1ᵗ by zero).
 */
export function decay(doc: string, fallback: number): Field<number> {
  return optional(number({ ge: 0, lt: 1 }), doc, { default: fallback });
}
