import { DuplicateTypeError, formatValue, Registry, UnknownTypeError, validateConfig } from '@dlfs/core';
import type { CreateContext, Layer, LayerDef, LayerSpec } from './layer.js';

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
export class LayerRegistry extends Registry<LayerDef> {
  constructor(defs: Iterable<LayerDef> = []) {
    super({ noun: 'layer', article: 'a', owner: 'LayerRegistry' }, defs);
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
   * one. Errors from validate or create come back as LayerCreateError naming the type and the spec.
   */
  create(spec: LayerSpec, ctx: CreateContext): Layer {
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec) || typeof spec.type !== 'string') {
      throw new TypeError(`LayerRegistry.create: a layer spec must be an object with a string "type", got ${formatValue(spec)}`);
    }
    const def = this.get(spec.type);
    const { type: _type, ...config } = spec;
    try {
      return def.create(validateConfig(def, config), ctx);
    } catch (err) {
      throw new LayerCreateError(spec, err);
    }
  }
}
