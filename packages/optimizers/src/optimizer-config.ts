/** Thrown by a built-in optimizer's validate: names the optimizer type and, when one is to blame, the config field. */
export class OptimizerConfigError extends Error {
  readonly type: string;
  readonly field: string | undefined;
  constructor(type: string, field: string | undefined, detail: string) {
    super(`${type}: ${detail}`);
    this.name = 'OptimizerConfigError';
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
 * `undefined` counts as `{}`, so an optimizer may be validated with nothing to take every default.
 */
export function checkConfigObject(type: string, config: unknown, knownKeys: readonly string[], example: string): Record<string, unknown> {
  if (config === undefined) return {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new OptimizerConfigError(type, undefined, `config must be an object such as ${example}, got ${formatValue(config)}`);
  }
  const record = config as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !knownKeys.includes(key));
  if (unknown.length > 0) {
    const names = unknown.map((key) => JSON.stringify(key)).join(', ');
    const known = knownKeys.length > 0 ? `known keys: ${knownKeys.join(', ')}` : 'this optimizer takes no config';
    throw new OptimizerConfigError(type, unknown[0], `unknown config key${unknown.length > 1 ? 's' : ''} ${names}; ${known}`);
  }
  return record;
}

export const POSITIVE_RULE = 'a number > 0';
export const FRACTION_RULE = 'a number >= 0 and < 1';

/** `config[field]` when it is a finite number > 0 (a learning rate), `fallback` when it is absent. */
export function positiveNumber(type: string, config: Record<string, unknown>, field: string, fallback: number): number {
  const value = config[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OptimizerConfigError(type, field, `"${field}" must be ${POSITIVE_RULE}, got ${formatValue(value)}`);
  }
  return value;
}

/**
 * `config[field]` when it is a number in [0, 1) (a momentum, decay rate or β), `fallback` when
 * it is absent. 1 or more would let the running averages grow without bound (and divide Adam's
 * bias correction 1 − β1ᵗ by zero).
 */
export function fraction(type: string, config: Record<string, unknown>, field: string, fallback: number): number {
  const value = config[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw new OptimizerConfigError(type, field, `"${field}" must be ${FRACTION_RULE}, got ${formatValue(value)}`);
  }
  return value;
}
