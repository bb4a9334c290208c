/** Thrown by a built-in layer's validate: names the layer type and, when one is to blame, the config field. */
export class LayerConfigError extends Error {
  readonly type: string;
  readonly field: string | undefined;
  constructor(type: string, field: string | undefined, detail: string) {
    super(`${type}: ${detail}`);
    this.name = 'LayerConfigError';
    this.type = type;
    this.field = field;
  }
}

/** A value as a user would have written it: strings quoted, NaN and undefined spelled out. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'function') {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Checks that `config` is a plain object with no keys besides `knownKeys` and returns it.
 * `undefined` counts as `{}`, so a layer without config may be validated with nothing.
 */
export function checkConfigObject(type: string, config: unknown, knownKeys: readonly string[], example: string): Record<string, unknown> {
  if (config === undefined) return {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new LayerConfigError(type, undefined, `config must be an object such as ${example}, got ${formatValue(config)}`);
  }
  const record = config as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !knownKeys.includes(key));
  if (unknown.length > 0) {
    const names = unknown.map((key) => JSON.stringify(key)).join(', ');
    const known = knownKeys.length > 0 ? `known keys: ${knownKeys.join(', ')}` : 'this layer takes no config';
    throw new LayerConfigError(type, unknown[0], `unknown config key${unknown.length > 1 ? 's' : ''} ${names}; ${known}`);
  }
  return record;
}
