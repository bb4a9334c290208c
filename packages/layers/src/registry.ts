import { formatValue } from './config-check.js';
import type { CreateContext, Layer, LayerDef, LayerSpec } from './layer.js';

/** Thrown by `LayerRegistry.get` and `create` for a type nobody registered; lists the known types. */
export class UnknownLayerError extends Error {
  readonly type: string;
  readonly knownTypes: readonly string[];
  constructor(type: string, knownTypes: readonly string[]) {
    const known = knownTypes.length > 0 ? knownTypes.join(', ') : '(none registered)';
    super(`unknown layer type ${JSON.stringify(type)}; known types: ${known}`);
    this.name = 'UnknownLayerError';
    this.type = type;
    this.knownTypes = knownTypes;
  }
}

/** Thrown by `LayerRegistry.register` when the type is already taken. */
export class DuplicateLayerError extends Error {
  readonly type: string;
  constructor(type: string) {
    super(`layer type ${JSON.stringify(type)} is already registered; give the new layer another type, or register it into a registry without the old one`);
    this.name = 'DuplicateLayerError';
    this.type = type;
  }
}

/** Thrown by `LayerRegistry.create` when a layer's validate or create fails; `cause` is the original error. */
export class LayerCreateError extends Error {
  readonly type: string;
  readonly spec: LayerSpec;
  constructor(spec: LayerSpec, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`cannot create layer ${JSON.stringify(spec.type)} from spec ${formatValue(spec)}: ${reason}`, { cause });
    this.name = 'LayerCreateError';
    this.type = spec.type;
    this.spec = spec;
  }
}

/**
 * The layer types a network spec may name. Built from an explicit list, never filled by
 * import side effects; each registry has its own table, so registering into one leaves
 * every other unchanged.
 */
export class LayerRegistry {
  private readonly table = new Map<string, LayerDef>();

  constructor(defs: Iterable<LayerDef> = []) {
    for (const def of defs) this.register(def);
  }

  /** Adds a layer type; a type that is already registered throws DuplicateLayerError. */
  register(def: LayerDef): this {
    if (typeof def !== 'object' || def === null || typeof def.type !== 'string' || def.type === '') {
      throw new TypeError('LayerRegistry.register: a layer def needs a non-empty string "type"');
    }
    if (typeof def.create !== 'function') {
      throw new TypeError(`LayerRegistry.register: layer def ${JSON.stringify(def.type)} has no create(config, ctx) function`);
    }
    if (this.table.has(def.type)) throw new DuplicateLayerError(def.type);
    this.table.set(def.type, def);
    return this;
  }

  has(type: string): boolean {
    return this.table.has(type);
  }

  /** The def registered as `type`; an unknown type throws UnknownLayerError. */
  get(type: string): LayerDef {
    const def = this.table.get(type);
    if (def === undefined) throw new UnknownLayerError(type, this.types());
    return def;
  }

  /** The registered types, sorted. */
  types(): string[] {
    return [...this.table.keys()].sort();
  }

  /** The registered defs, sorted by type. */
  defs(): LayerDef[] {
    return this.types().map((type) => this.table.get(type)!);
  }

  /**
   * Builds the layer a spec entry describes: `{ type: "affine", units: 50 }` gives the affine
   * def the config `{ units: 50 }`, checked by its validate when it has one. Errors from
   * validate or create come back as LayerCreateError naming the type and the spec.
   */
  create(spec: LayerSpec, ctx: CreateContext): Layer {
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec) || typeof spec.type !== 'string') {
      throw new TypeError(`LayerRegistry.create: a layer spec must be an object with a string "type", got ${formatValue(spec)}`);
    }
    const def = this.get(spec.type);
    const { type: _type, ...config } = spec;
    try {
      const checked = def.validate ? def.validate(config) : config;
      return def.create(checked, ctx);
    } catch (err) {
      throw new LayerCreateError(spec, err);
    }
  }
}

