import { Divide255Scaler } from './divide-255-scaler.js';
import { IdentityScaler } from './identity-scaler.js';
import { MinMaxScaler } from './min-max-scaler.js';
import { type Scaler, ScalerError, type ScalerType } from './scaler.js';

const SCALER_TYPES: readonly ScalerType[] = ['minmax', '255', 'none'];

/** A new, unfitted scaler: 'minmax' (per feature to [0, 1]), '255' (x / 255) or 'none'. */
export function createScaler(type: ScalerType): Scaler {
  switch (type) {
    case 'minmax':
      return new MinMaxScaler();
    case '255':
      return new Divide255Scaler();
    case 'none':
      return new IdentityScaler();
    default:
      throw new ScalerError(`unknown scaler ${JSON.stringify(type)}; known scalers: ${SCALER_TYPES.join(', ')}`);
  }
}

/**
 * The scaler a `toJSON()` result describes, fitted as it was saved. Anything else (a model
 * file edited by hand, or from another version) throws a ScalerError naming the bad field.
 */
export function scalerFromJSON(json: unknown): Scaler {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ScalerError(`a saved scaler must be an object such as {"type":"255"}, got ${describe(json)}`);
  }
  const record = json as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !(SCALER_TYPES as readonly string[]).includes(type)) {
    throw new ScalerError(`a saved scaler's "type" must be one of ${SCALER_TYPES.map((t) => JSON.stringify(t)).join(', ')}, got ${describe(type)}`, 'type');
  }
  const allowed = type === 'minmax' ? ['type', 'min', 'max'] : ['type'];
  const extra = Object.keys(record).find((key) => !allowed.includes(key));
  if (extra !== undefined) {
    throw new ScalerError(`a saved ${JSON.stringify(type)} scaler has an unknown field ${JSON.stringify(extra)}; it takes only ${allowed.join(', ')}`, extra);
  }
  if (type !== 'minmax') return createScaler(type as ScalerType);
  const min = finiteNumbers(record.min, 'min');
  const max = finiteNumbers(record.max, 'max');
  if (min.length !== max.length) {
    throw new ScalerError(`a saved minmax scaler has ${min.length} minima but ${max.length} maxima; it needs one of each per feature`, 'max');
  }
  const j = min.findIndex((lo, i) => lo > max[i]!);
  if (j !== -1) throw new ScalerError(`a saved minmax scaler has min[${j}] = ${min[j]} above max[${j}] = ${max[j]}`, `min[${j}]`);
  return new MinMaxScaler({ min, max });
}

function finiteNumbers(value: unknown, field: string): number[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ScalerError(`a saved minmax scaler's "${field}" must be a non-empty array of numbers, one per feature, got ${describe(value)}`, field);
  }
  const bad = value.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad !== -1) throw new ScalerError(`a saved minmax scaler's ${field}[${bad}] must be a finite number, got ${describe(value[bad])}`, `${field}[${bad}]`);
  return value as number[];
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
