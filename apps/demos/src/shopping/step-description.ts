import { formatValue, type GraphValues, type ShoppingGraph, type WalkStep } from './shopping-graph.js';

/** The name of an input or a node's value, as the book writes it. */
export function nameOf(graph: ShoppingGraph, id: string): string {
  return graph.inputs.find((i) => i.id === id)?.label ?? graph.nodes.find((n) => n.id === id)?.name ?? id;
}

/**
 * One sentence for a walk-through step, with the numbers it computes:
 * forward "apple_price = apple × apple_num = 100 × 2 = 200";
 * backward of × (5.4.1) swaps the inputs: "dapple = dapple_price × apple_num = 1.1 × 2 = 2.2";
 * backward of + (5.4.2) passes dout through unchanged.
 */
export function describeStep(graph: ShoppingGraph, values: GraphValues, step: WalkStep): string {
  const node = graph.nodes.find((n) => n.id === step.node);
  if (node === undefined) throw new Error(`no node "${step.node}" in graph "${graph.id}"`);
  const [x, y] = node.inputs;
  const [nx, ny] = [nameOf(graph, x), nameOf(graph, y)];
  const v = (id: string): string => formatValue(values.forward[id]!);
  const op = node.op === 'mul' ? '×' : '+';
  if (step.phase === 'forward') {
    return `Forward: ${node.name} = ${nx} ${op} ${ny} = ${v(x)} ${op} ${v(y)} = ${v(node.id)}`;
  }
  const dout = formatValue(values.grad[node.id]!);
  const dx = formatValue(values.edgeGrad[`${x}->${node.id}`]!);
  const dy = formatValue(values.edgeGrad[`${y}->${node.id}`]!);
  if (node.op === 'mul') {
    return `Backward: d${nx} = d${node.name} × ${ny} = ${dout} × ${v(y)} = ${dx}; d${ny} = d${node.name} × ${nx} = ${dout} × ${v(x)} = ${dy}`;
  }
  return `Backward: + passes d${node.name} = ${dout} on unchanged: d${nx} = ${dx}, d${ny} = ${dy}`;
}
