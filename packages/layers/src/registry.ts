import { DuplicateTypeError, formatValue, Registry, resolveLayer, type ShapedLayer, UnknownTypeError, validateConfig } from '@dlfs/core';
import type { CreateContext, LayerDef, LayerSpec } from './layer.js';

/** Thrown by `LayerRegistry.get` and `create` for a type nobody registered; lists the known types. */
export class UnknownLayerError extends UnknownTypeError {
  constructor(type: string, knownTypes: readonly string[]) {
    super('layer', type, knownTypes);
    this.name = 'UnknownLayerError';
  }
}

/** Thrown by `LayerRegistry.register` when the type is already taken. */
export class DuplicateLayerError extends DuplicateTypeError {
  constructor(type: string) {
    super('layer', type);
    this.name = 'DuplicateLayerError';
  }
}

/** Thrown by `LayerRegistry.create` when a layer's validate or create fails; `cause` is the original error. */
export class LayerCreateError extends Error {
  readonly type: string;
  readonly spec: LayerSpec;
  /** The module the layer's def came from (a --plugin), when the registry knows it. */
  readonly source: string | undefined;
  constructor(spec: LayerSpec, cause: unknown, source?: string) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const from = source === undefined ? '' : ` (from ${source})`;
    super(`cannot create layer ${JSON.stringify(spec.type)}${from} from spec ${formatValue(spec)}: ${reason}`, { cause });
    this.name = 'LayerCreateError';
    this.type = spec.type;
    this.spec = spec;
    this.source = source;
  }
}

/**
 * The layer types a network spec may name. Built from an explicit list, never filled by
 * import side effects; each registry has its own table, so registering into one leaves
 * every other unchanged.
 */
export class LayerRegistry extends Registry<LayerDef> {
  private readonly sources = new Map<string, string>();

  constructor(defs: Iterable<LayerDef> = []) {
    super({ noun: 'layer', article: 'a', owner: 'LayerRegistry' }, defs);
  }

  /**
   * Adds a layer type; a type that is already registered throws DuplicateLayerError. `source`
   * names where the def came from (a plugin module): errors about its layers name it.
   */
  override register(def: LayerDef, opts: { source?: string } = {}): this {
    super.register(def);
    if (opts.source !== undefined) this.sources.set(def.type, opts.source);
    return this;
  }

  /** The module a type was registered from, when register was told. */
  sourceOf(type: string): string | undefined {
    return this.sources.get(type);
  }

  protected override missing(def: LayerDef): string | undefined {
    return typeof def.create === 'function' ? undefined : 'has no create(config, ctx) function';
  }

  protected override unknownError(type: string): Error {
    return new UnknownLayerError(type, this.types());
  }

  protected override duplicateError(type: string): Error {
    return new DuplicateLayerError(type);
  }

  /**
   * Builds the layer a spec entry describes: `{ type: "affine", units: 50 }` gives the affine
   * def the config `{ units: 50 }`, checked by its validate (or its config schema) when it has
   * one. What create returns is checked against the Layer contract (resolveLayer from
   * @dlfs/core), and a missing outputShape found. Errors from validate or create, and breaches
   * of the contract, come back as LayerCreateError naming the type, its module and the spec.
   */
  create(spec: LayerSpec, ctx: CreateContext): ShapedLayer {
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec) || typeof spec.type !== 'string') {
      throw new TypeError(`LayerRegistry.create: a layer spec must be an object with a string "type", got ${formatValue(spec)}`);
    }
    const def = this.get(spec.type);
    const { type: _type, ...config } = spec;
    try {
      return resolveLayer(def.create(validateConfig(def, config), ctx), ctx.inputShape, ctx.dtype ?? 'float64');
    } catch (err) {
      throw new LayerCreateError(spec, err, this.sourceOf(spec.type));
    }
  }
}
