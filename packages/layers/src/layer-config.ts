import { ConfigError, type Fields, defineConfig, type ConfigSchema } from '@dlfs/core';

/** Thrown by a built-in layer's validate: names the layer type and, when one is to blame, the config field. */
export class LayerConfigError extends ConfigError {
  constructor(type: string, field: string | undefined, detail: string) {
    super(type, field, detail);
    this.name = 'LayerConfigError';
  }
}

/**
 * The config schema of a layer type: validate returns the keys the spec gave (a spec entry stays
 * as the user wrote it; create fills in the defaults with withDefaults) and throws LayerConfigError.
 */
export function layerConfig<C>(type: string, fields: Fields<C>, example: string): ConfigSchema<C> {
  return defineConfig(type, fields, { kind: 'layer', example, error: (t, f, d) => new LayerConfigError(t, f, d) });
}
