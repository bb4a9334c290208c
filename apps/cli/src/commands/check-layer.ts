import { checkLayer, type LayerReport } from '@dlfs/gradcheck';
import type { LayerDef } from '@dlfs/layers';
import { UsageError } from '../errors.js';
import { loadRegistry } from '../plugins.js';

export interface CheckLayerFlags {
  plugin: string[];
  type?: string;
  inputShape: number[];
  /** The config to check every type with; without it, each type's own example config (from its schema), else {}. */
  config?: Record<string, unknown>;
  seed: number;
  json: boolean;
}

/** One layer type's outcome: the kit's report, or why the layer could not even be made. */
interface Outcome {
  type: string;
  source: string | undefined;
  report?: LayerReport;
  error?: string;
}

/**
 * The conformance kit of @dlfs/gradcheck from the command line: for every layer type a plugin
 * exports (or the one --type names, built-ins included; every built-in without either), builds
 * the layer in float64 and checks its contract and its gradients against the numerical gradient
 * in an evaluation and a training pass. Exits 1 when any type fails.
 */
export async function checkLayerCommand(flags: CheckLayerFlags): Promise<number> {
  const registry = await loadRegistry(flags.plugin);
  let types: string[];
  if (flags.type !== undefined) types = [registry.get(flags.type).type];
  else if (flags.plugin.length > 0) types = registry.types().filter((t) => registry.sourceOf(t) !== undefined);
  else types = registry.types();
  if (types.length === 0) throw new UsageError(`${flags.plugin.join(', ')} registered no layer types`);

  const outcomes: Outcome[] = types.map((type) => {
    const source = registry.sourceOf(type);
    const def = registry.get(type);
    try {
      return { type, source, report: checkLayer(def, flags.config ?? exampleConfig(def), { inputShape: flags.inputShape, seed: flags.seed }) };
    } catch (err) {
      // validate or create threw: the config does not suit the type, or the plugin broke.
      return { type, source, error: err instanceof Error ? err.message : String(err) };
    }
  });
  const failed = outcomes.filter((o) => !o.report?.ok);

  if (flags.json) {
    const json = outcomes.map((o) => ({
      type: o.type,
      source: o.source ?? null,
      ok: o.report?.ok ?? false,
      ...(o.error === undefined ? {} : { error: o.error }),
      problems: o.report?.problems ?? [],
      worst: o.report?.worst ?? null,
      tensors: (o.report?.gradients ?? []).map((g) => ({ name: g.name, mode: g.mode, maxRelError: g.maxRelErrorSmooth, kinks: g.kinks, ok: g.ok })),
    }));
    process.stdout.write(`${JSON.stringify({ ok: failed.length === 0, inputShape: flags.inputShape, layers: json }, null, 2)}\n`);
    return failed.length === 0 ? 0 : 1;
  }
  const out = process.stdout;
  for (const o of outcomes) {
    const from = o.source === undefined ? '' : ` (${o.source})`;
    if (o.error !== undefined) {
      out.write(`FAIL: layer "${o.type}"${from} could not be made: ${o.error}\n`);
      out.write('  give its config with --config \'{"...": ...}\' and the shape of one input sample with --input-shape\n\n');
      continue;
    }
    out.write(`${o.report!.summary.replace(/^(ok|FAIL): layer "([^"]*)"/, `$1: layer "$2"${from}`)}\n\n`);
  }
  const n = outcomes.length;
  out.write(
    failed.length === 0
      ? `ok: ${n} layer type${n === 1 ? '' : 's'} pass${n === 1 ? 'es' : ''} the conformance kit (input ${flags.inputShape.join('x')}, seed ${flags.seed})\n`
      : `FAILED: ${failed.map((o) => o.type).join(', ')} (${failed.length} of ${n})\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

/** The config a def shows as its example (its schema's), or {} when it has none that parses. */
function exampleConfig(def: LayerDef): Record<string, unknown> {
  const example = def.config?.example;
  if (example === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(example);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
