/** What a registry holds: a plain object named by its `type`. */
export interface Def {
  readonly type: string;
}

/** How a registry speaks of its defs: "layer", with "a", in messages from "LayerRegistry". */
export interface RegistryKind {
  /** The noun: 'layer', 'optimizer', 'loss'. */
  readonly noun: string;
  /** The article before the noun: 'a' or 'an'. */
  readonly article: 'a' | 'an';
  /** The class name that starts a misuse message: 'LayerRegistry'. */
  readonly owner: string;
}

/** Thrown by `get` for a type nobody registered; lists the known types. */
export class UnknownTypeError extends Error {
  readonly type: string;
  readonly knownTypes: readonly string[];
  constructor(noun: string, type: string, knownTypes: readonly string[]) {
    const known = knownTypes.length > 0 ? knownTypes.join(', ') : '(none registered)';
    super(`unknown ${noun} type ${JSON.stringify(type)}; known types: ${known}`);
    this.name = 'UnknownTypeError';
    this.type = type;
    this.knownTypes = knownTypes;
  }
}

/** Thrown by `register` when the type is already taken. */
export class DuplicateTypeError extends Error {
  readonly type: string;
  constructor(noun: string, type: string) {
    super(`${noun} type ${JSON.stringify(type)} is already registered; give the new ${noun} another type, or register it into a registry without the old one`);
    this.name = 'DuplicateTypeError';
    this.type = type;
  }
}

/**
 * Named defs (layers, losses, optimizers) that a spec or a flag may name. Built from an explicit
 * list, never filled by import side effects; each registry has its own table, so registering
 * into one leaves every other unchanged. Subclasses name their kind, say which functions a def
 * must have, and may throw their own error classes.
 */
export class Registry<D extends Def> {
  private readonly table = new Map<string, D>();
  readonly kind: RegistryKind;

  constructor(kind: RegistryKind, defs: Iterable<D> = []) {
    this.kind = kind;
    for (const def of defs) this.register(def);
  }

  /** Why `def` cannot be registered (a missing function), or undefined when it can. */
  protected missing(_def: D): string | undefined {
    return undefined;
  }

  protected unknownError(type: string): Error {
    return new UnknownTypeError(this.kind.noun, type, this.types());
  }

  protected duplicateError(type: string): Error {
    return new DuplicateTypeError(this.kind.noun, type);
  }

  /** Adds a def; a type that is already registered throws. */
  register(def: D): this {
    const { noun, article, owner } = this.kind;
    if (typeof def !== 'object' || def === null || typeof def.type !== 'string' || def.type === '') {
      throw new TypeError(`${owner}.register: ${article} ${noun} def needs a non-empty string "type"`);
    }
    const missing = this.missing(def);
    if (missing !== undefined) throw new TypeError(`${owner}.register: ${noun} def ${JSON.stringify(def.type)} ${missing}`);
    if (this.table.has(def.type)) throw this.duplicateError(def.type);
    this.table.set(def.type, def);
    return this;
  }

  has(type: string): boolean {
    return this.table.has(type);
  }

  /** The def registered as `type`; an unknown type throws an error that lists the known ones. */
  get(type: string): D {
    const def = this.table.get(type);
    if (def === undefined) throw this.unknownError(type);
    return def;
  }

  /** The registered types, sorted. */
  types(): string[] {
    return [...this.table.keys()].sort();
  }

  /** The registered defs, sorted by type. */
  defs(): D[] {
    return this.types().map((type) => this.table.get(type)!);
  }
}
