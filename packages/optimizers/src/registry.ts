import type { Optimizer, OptimizerDef } from './optimizer.js';

/** Thrown by `OptimizerRegistry.get` and `create` for a type nobody registered; lists the known types. */
export class UnknownOptimizerError extends Error {
  readonly type: string;
  readonly knownTypes: readonly string[];
  constructor(type: string, knownTypes: readonly string[]) {
    const known = knownTypes.length > 0 ? knownTypes.join(', ') : '(none registered)';
    super(`unknown optimizer type ${JSON.stringify(type)}; known types: ${known}`);
    this.name = 'UnknownOptimizerError';
    this.type = type;
    this.knownTypes = knownTypes;
  }
}

/** Thrown by `OptimizerRegistry.register` when the type is already taken. */
export class DuplicateOptimizerError extends Error {
  readonly type: string;
  constructor(type: string) {
    super(`optimizer type ${JSON.stringify(type)} is already registered; give the new optimizer another type, or register it into a registry without the old one`);
    this.name = 'DuplicateOptimizerError';
    this.type = type;
  }
}

/**
 * The optimizer types a trainer config may name. Built from an explicit list, never filled by
 * import side effects; each registry has its own table, so registering into one leaves every
 * other unchanged.
 */
export class OptimizerRegistry {
  private readonly table = new Map<string, OptimizerDef>();

  constructor(defs: Iterable<OptimizerDef> = []) {
    for (const def of defs) this.register(def);
  }

  /** Adds an optimizer type; a type that is already registered throws DuplicateOptimizerError. */
  register(def: OptimizerDef): this {
    if (typeof def !== 'object' || def === null || typeof def.type !== 'string' || def.type === '') {
      throw new TypeError('OptimizerRegistry.register: an optimizer def needs a non-empty string "type"');
    }
    if (typeof def.validate !== 'function' || typeof def.create !== 'function') {
      throw new TypeError(`OptimizerRegistry.register: optimizer def ${JSON.stringify(def.type)} needs validate(config) and create(config) functions`);
    }
    if (this.table.has(def.type)) throw new DuplicateOptimizerError(def.type);
    this.table.set(def.type, def);
    return this;
  }

  has(type: string): boolean {
    return this.table.has(type);
  }

  /** The def registered as `type`; an unknown type throws UnknownOptimizerError. */
  get(type: string): OptimizerDef {
    const def = this.table.get(type);
    if (def === undefined) throw new UnknownOptimizerError(type, this.types());
    return def;
  }

  /** The registered types, sorted. */
  types(): string[] {
    return [...this.table.keys()].sort();
  }

  /** The registered defs, sorted by type. */
  defs(): OptimizerDef[] {
    return this.types().map((type) => this.table.get(type)!);
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
