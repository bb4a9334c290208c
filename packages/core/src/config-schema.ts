/**
 * Declarative config schemas: a def (layer, loss, optimizer) lists its config fields once, with
 * a rule and a one-line doc each, and gets from that list both `validate` (untrusted JSON in,
 * a typed config or an error naming the field out) and the text `dlfs layers` prints.
 */

/** A config that a schema refused; names the def's type and, when one is to blame, the field. */
export class ConfigError extends Error {
  readonly type: string;
  readonly field: string | undefined;
  constructor(type: string, field: string | undefined, detail: string) {
    super(`${type}: ${detail}`);
    this.name = 'ConfigError';
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

/** What a value must be, as a test and as words ("a whole number >= 1"). */
export interface Rule<T> {
  readonly text: string;
  test(value: unknown): value is T;
}

/** A whole number (a safe integer) within the bounds given. */
export function wholeNumber(bounds: { min?: number; max?: number } = {}): Rule<number> {
  const { min, max } = bounds;
  const parts = [min === undefined ? '' : ` >= ${min}`, max === undefined ? '' : ` <= ${max}`].filter((p) => p !== '');
  return {
    text: `a whole number${parts.join(' and')}`,
    test: (v): v is number => typeof v === 'number' && Number.isSafeInteger(v) && (min === undefined || v >= min) && (max === undefined || v <= max),
  };
}

/** A finite number within the bounds given: { gt: 0 } is "a number > 0", { ge: 0, lt: 1 } "a number >= 0 and < 1". */
export function number(bounds: { gt?: number; ge?: number; lt?: number; le?: number } = {}): Rule<number> {
  const { gt, ge, lt, le } = bounds;
  const parts: string[] = [];
  if (gt !== undefined) parts.push(`> ${gt}`);
  if (ge !== undefined) parts.push(`>= ${ge}`);
  if (lt !== undefined) parts.push(`< ${lt}`);
  if (le !== undefined) parts.push(`<= ${le}`);
  return {
    text: `a number${parts.length > 0 ? ` ${parts.join(' and ')}` : ''}`,
    test: (v): v is number =>
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (gt === undefined || v > gt) &&
      (ge === undefined || v >= ge) &&
      (lt === undefined || v < lt) &&
      (le === undefined || v <= le),
  };
}

/** One of a few literal values: '"xavier" or "he"'. */
export function oneOf<const V extends readonly (string | number | boolean)[]>(values: V): Rule<V[number]> {
  const words = values.map((v) => JSON.stringify(v));
  const text = words.length <= 1 ? (words[0] ?? 'nothing') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
  return { text, test: (v): v is V[number] => values.includes(v as V[number]) };
}

/** true or false. */
export function boolean(): Rule<boolean> {
  return { text: 'true or false', test: (v): v is boolean => typeof v === 'boolean' };
}

/** Either rule: a number > 0 or one of two names is 'a number > 0, "xavier" or "he"'. */
export function anyOf<A, B>(a: Rule<A>, b: Rule<B>): Rule<A | B> {
  return { text: `${a.text}, ${b.text}`, test: (v): v is A | B => a.test(v) || b.test(v) };
}

/** A non-empty list of whole numbers >= 1, such as a shape [1, 28, 28]. */
export function shape(): Rule<number[]> {
  return {
    text: 'a non-empty list of whole numbers >= 1',
    test: (v): v is number[] => Array.isArray(v) && v.length > 0 && v.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1),
  };
}

/** One field of a config: its rule, what it means, whether it must be given and its default. */
export interface Field<T> {
  readonly rule: Rule<T>;
  readonly doc: string;
  readonly required: boolean;
  readonly default: T | undefined;
}

/** A field the config must give. */
export function required<T>(rule: Rule<T>, doc: string): Field<T> {
  return Object.freeze({ rule, doc, required: true, default: undefined });
}

/** A field the config may leave out; `default` is what the def uses then (and what `dlfs layers` shows). */
export function optional<T>(rule: Rule<T>, doc: string, opts: { default?: T } = {}): Field<T> {
  return Object.freeze({ rule, doc, required: false, default: opts.default });
}

/** The fields of a config type C, one per key. */
export type Fields<C> = { readonly [K in keyof C]-?: Field<NonNullable<C[K]>> };

export interface SchemaOptions {
  /** What kind of def owns the schema, for "this layer takes no config": 'layer', 'optimizer', 'loss'. */
  kind: string;
  /** A config to show when the value is not an object at all: '{ "units": 50 }'. */
  example: string;
  /**
   * true: validate returns the config with every default filled in (optimizers); false: it
   * returns the keys given (layers, whose spec entries stay as the user wrote them).
   */
  fillDefaults?: boolean;
  /** Makes the error for a bad config; a ConfigError by default. Packages pass their own subclass. */
  error?: (type: string, field: string | undefined, detail: string) => Error;
}

/**
 * The config of one def type, described once. `validate` checks untrusted JSON: a plain object
 * (or undefined, meaning {}), no keys but the fields', every given value following its rule, every
 * required field present; `describe` gives each field's line for `dlfs layers`.
 */
export class ConfigSchema<C> {
  readonly type: string;
  readonly fields: Fields<C>;
  private readonly opts: SchemaOptions;

  constructor(type: string, fields: Fields<C>, opts: SchemaOptions) {
    this.type = type;
    this.fields = Object.freeze({ ...fields });
    this.opts = opts;
    Object.freeze(this);
  }

  private fail(field: string | undefined, detail: string): Error {
    return (this.opts.error ?? ((t, f, d) => new ConfigError(t, f, d)))(this.type, field, detail);
  }

  /** A config to show (and to try, as `dlfs check-layer` does when given none): '{ "units": 50 }'. */
  get example(): string {
    return this.opts.example;
  }

  /** The field names, in the order they were declared. */
  keys(): (keyof C & string)[] {
    return Object.keys(this.fields) as (keyof C & string)[];
  }

  /** Checks an untrusted config and returns it typed, or throws an error naming the field and the rule. */
  validate(config: unknown): C {
    const keys = this.keys();
    let record: Record<string, unknown> = {};
    if (config !== undefined) {
      if (typeof config !== 'object' || config === null || Array.isArray(config)) {
        throw this.fail(undefined, `config must be an object such as ${this.opts.example}, got ${formatValue(config)}`);
      }
      record = config as Record<string, unknown>;
    }
    const unknown = Object.keys(record).filter((key) => !(keys as string[]).includes(key));
    if (unknown.length > 0) {
      const names = unknown.map((key) => JSON.stringify(key)).join(', ');
      const known = keys.length > 0 ? `known keys: ${keys.join(', ')}` : `this ${this.opts.kind} takes no config`;
      throw this.fail(unknown[0], `unknown config key${unknown.length > 1 ? 's' : ''} ${names}; ${known}`);
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const field = this.fields[key] as Field<unknown>;
      const value = record[key];
      if (value === undefined && !field.required) {
        if (this.opts.fillDefaults && field.default !== undefined) out[key] = field.default;
        continue;
      }
      if (!field.rule.test(value)) throw this.fail(key, `"${key}" must be ${field.rule.text}, got ${formatValue(value)}`);
      out[key] = value;
    }
    return out as C;
  }

  /** The config with every default filled in (for a def's create, after validate). */
  withDefaults(config: C): C {
    const out: Record<string, unknown> = { ...(config as Record<string, unknown>) };
    for (const key of this.keys()) {
      const field = this.fields[key] as Field<unknown>;
      if (out[key] === undefined && field.default !== undefined) out[key] = field.default;
    }
    return out as C;
  }

  /** One line per field, for `dlfs layers`: "learning rate η, a number > 0; default 0.01". */
  describe(): Readonly<Record<string, string>> {
    const lines: Record<string, string> = {};
    for (const key of this.keys()) {
      const field = this.fields[key] as Field<unknown>;
      const fallback =
        field.default === undefined ? '' : `; default ${typeof field.default === 'string' ? JSON.stringify(field.default) : formatValue(field.default)}`;
      lines[key] = `${field.doc}, ${field.rule.text}${field.required ? '' : fallback}`;
    }
    return Object.freeze(lines);
  }
}

/** A schema for the config type C of the def `type`; see ConfigSchema. */
export function defineConfig<C>(type: string, fields: Fields<C>, opts: SchemaOptions): ConfigSchema<C> {
  return new ConfigSchema(type, fields, opts);
}
