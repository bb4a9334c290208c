import { APPLE_GRAPH, APPLE_ORANGE_GRAPH, evaluateGraph, formatValue, type ShoppingGraph } from '../shopping/shopping-graph.js';
import { nameOf } from '../shopping/step-description.js';

// 5.4.1 and 5.4.2 from the command line: the same graphs as the page, run through MulLayer and
// AddLayer. Inputs can be changed with name=value arguments: `pnpm --filter demos shopping apple=120 tax=1.08`.
const overrides: Record<string, number> = {};
for (const arg of process.argv.slice(2)) {
  const match = /^([a-z_]+)=(.+)$/.exec(arg);
  const value = match ? Number(match[2]) : NaN;
  if (!match || !Number.isFinite(value)) {
    console.error(`shopping: cannot read "${arg}"; give inputs as name=value, e.g. apple=120 tax=1.08`);
    process.exit(2);
  }
  overrides[match[1]!] = value;
}
const known = new Set([...APPLE_GRAPH.inputs, ...APPLE_ORANGE_GRAPH.inputs].map((i) => i.id));
const unknown = Object.keys(overrides).filter((k) => !known.has(k));
if (unknown.length > 0) {
  console.error(`shopping: unknown input ${unknown.join(', ')}; the inputs are ${[...known].join(', ')}`);
  process.exit(2);
}

function show(graph: ShoppingGraph, heading: string): void {
  const v = evaluateGraph(graph, overrides);
  console.log(`${heading} ${graph.title.toLowerCase()}: ${graph.inputs.map((i) => `${i.label} ${formatValue(v.forward[i.id]!)}`).join(', ')}`);
  console.log(`  forward   price = ${formatValue(v.output)}`);
  console.log(`  backward  ${graph.inputs.map((i) => `d${nameOf(graph, i.id)} = ${formatValue(v.grad[i.id]!)}`).join(', ')}`);
}

show(APPLE_GRAPH, '5.4.1 (MulLayer)');
console.log('');
show(APPLE_ORANGE_GRAPH, '5.4.2 (MulLayer, AddLayer)');
