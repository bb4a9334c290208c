import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinLayers, type LayerDef, type LayerRegistry } from '@dlfs/layers';
import { InputError } from './errors.js';

/**
 * The layer registry of a command: the built-ins plus every `--plugin` module's layers. A plugin
 * is an ES module whose default export is an array of LayerDef objects.
 */
export async function loadRegistry(plugins: readonly string[] = []): Promise<LayerRegistry> {
  const registry = builtinLayers();
  for (const plugin of plugins) {
    const path = resolve(plugin);
    // A path that exists is imported as a file; anything else as a package name.
    const specifier = existsSync(path) ? pathToFileURL(path).href : plugin;
    let mod: { default?: unknown };
    try {
      mod = (await import(specifier)) as { default?: unknown };
    } catch (err) {
      throw new InputError(`--plugin ${plugin}: cannot be imported: ${(err as Error).message}`);
    }
    const defs = mod.default;
    if (!Array.isArray(defs)) {
      throw new InputError(`--plugin ${plugin}: its default export must be an array of layer defs ({ type, create(config, ctx) }), got ${typeof defs}`);
    }
    defs.forEach((def: unknown, i) => {
      const d = def as Partial<LayerDef>;
      if (typeof d !== 'object' || d === null || typeof d.type !== 'string' || typeof d.create !== 'function') {
        throw new InputError(`--plugin ${plugin}: default export [${i}] is not a layer def: it needs a string "type" and a create(config, ctx) function`);
      }
      try {
        registry.register(d as LayerDef, { source: plugin });
      } catch (err) {
        throw new InputError(`--plugin ${plugin}: ${(err as Error).message}`);
      }
    });
  }
  return registry;
}
