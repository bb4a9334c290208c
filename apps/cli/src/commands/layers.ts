import { describeConfig } from '@dlfs/core';
import { loadRegistry } from '../plugins.js';
import { NAMED_SPECS } from '@dlfs/model';

export interface LayersFlags {
  json: boolean;
  plugin: string[];
}

/** The layer types a spec may use, with their config fields. */
export async function layersCommand(flags: LayersFlags): Promise<number> {
  const registry = await loadRegistry(flags.plugin);
  const defs = registry.defs();
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify(
        defs.map((d) => ({ type: d.type, description: d.description ?? '', config: describeConfig(d), capabilities: d.capabilities ?? {} })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  for (const def of defs) {
    process.stdout.write(`${def.type}${def.description ? `  ${def.description}` : ''}\n`);
    const fields = Object.entries(describeConfig(def));
    if (fields.length === 0) process.stdout.write('    (no config)\n');
    for (const [name, doc] of fields) process.stdout.write(`    ${name}: ${doc}\n`);
    const caps = Object.entries(def.capabilities ?? {}).filter(([, v]) => v !== undefined && v !== false);
    if (caps.length > 0) process.stdout.write(`    capabilities: ${caps.map(([k, v]) => (v === true ? k : `${k} (${String(v)})`)).join(', ')}\n`);
  }
  process.stdout.write('\nnamed specs (dlfs train --spec NAME):\n');
  for (const [name, { about }] of Object.entries(NAMED_SPECS)) process.stdout.write(`  ${name}  ${about}\n`);
  return 0;
}
