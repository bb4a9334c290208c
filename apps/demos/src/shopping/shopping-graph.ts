import { AddLayer, MulLayer } from '@dlfs/layers';

/** A leaf of the graph: a number the shopper chooses (a price, a count, the tax rate). */
export interface GraphInput {
  readonly id: string;
  /** The book's variable name: apple, apple_num, tax. */
  readonly label: string;
  readonly value: number;
  /** Grid position for the drawing: column and row, fractions allowed. */
  readonly col: number;
  readonly row: number;
}

/** An operation node with two inputs, each an input id or another node's id. */
export interface GraphNode {
  readonly id: string;
  /** The book's name for the node's value: apple_price, all_price, price. */
  readonly name: string;
  readonly op: 'mul' | 'add';
  /** What the node's circle shows: ×, +. */
  readonly symbol: string;
  readonly inputs: readonly [string, string];
  readonly col: number;
  readonly row: number;
}

/** A computational graph of section 5.4: inputs, nodes in forward order, and the final node's name. */
export interface ShoppingGraph {
  readonly id: string;
  readonly title: string;
  readonly inputs: readonly GraphInput[];
  /** Topological order: every node comes after the nodes it reads. */
  readonly nodes: readonly GraphNode[];
  /** The result the last node computes: "price". */
  readonly output: { readonly label: string; readonly col: number; readonly row: number };
}

/** Figure 5-16 (code 5.4.1): 100 yen apples, 2 of them, 10% tax. */
export const APPLE_GRAPH: ShoppingGraph = {
  id: 'apple',
  title: 'Buying apples',
  inputs: [
    { id: 'apple', label: 'apple', value: 100, col: 0, row: 0 },
    { id: 'apple_num', label: 'apple_num', value: 2, col: 0, row: 1 },
    { id: 'tax', label: 'tax', value: 1.1, col: 1, row: 1.35 },
  ],
  nodes: [
    { id: 'mul_apple', name: 'apple_price', op: 'mul', symbol: '×', inputs: ['apple', 'apple_num'], col: 1, row: 0 },
    { id: 'mul_tax', name: 'price', op: 'mul', symbol: '×', inputs: ['mul_apple', 'tax'], col: 2, row: 0 },
  ],
  output: { label: 'price', col: 3, row: 0 },
};

/** Figure 5-17 (code 5.4.2): apples and oranges, summed, then taxed. */
export const APPLE_ORANGE_GRAPH: ShoppingGraph = {
  id: 'apple-orange',
  title: 'Buying apples and oranges',
  inputs: [
    { id: 'apple', label: 'apple', value: 100, col: 0, row: 0 },
    { id: 'apple_num', label: 'apple_num', value: 2, col: 0, row: 0.9 },
    { id: 'orange', label: 'orange', value: 150, col: 0, row: 2.1 },
    { id: 'orange_num', label: 'orange_num', value: 3, col: 0, row: 3 },
    { id: 'tax', label: 'tax', value: 1.1, col: 2, row: 3 },
  ],
  nodes: [
    { id: 'mul_apple', name: 'apple_price', op: 'mul', symbol: '×', inputs: ['apple', 'apple_num'], col: 1, row: 0.45 },
    { id: 'mul_orange', name: 'orange_price', op: 'mul', symbol: '×', inputs: ['orange', 'orange_num'], col: 1, row: 2.55 },
    { id: 'add_apple_orange', name: 'all_price', op: 'add', symbol: '+', inputs: ['mul_apple', 'mul_orange'], col: 2, row: 1.5 },
    { id: 'mul_tax', name: 'price', op: 'mul', symbol: '×', inputs: ['add_apple_orange', 'tax'], col: 3, row: 1.5 },
  ],
  output: { label: 'price', col: 4, row: 1.5 },
};

/** The edge from `source` (an input or a node) into `target` (a node, or OUTPUT for the result). */
export function edgeId(source: string, target: string): string {
  return `${source}->${target}`;
}

/** The target of the last edge, which carries the result out of the graph. */
export const OUTPUT = 'output';

/** Forward values and backward gradients of one evaluation. */
export interface GraphValues {
  /** Every input's and node's forward value. */
  readonly forward: Readonly<Record<string, number>>;
  /** ∂price/∂v for every input and node v: the sum over v's outgoing edges. */
  readonly grad: Readonly<Record<string, number>>;
  /** The gradient each edge carries backward: the upstream gradient times the local derivative. */
  readonly edgeGrad: Readonly<Record<string, number>>;
  /** The last node's value: the price. */
  readonly output: number;
}

/**
 * Runs the graph as the book does: a MulLayer or AddLayer per node, forward in order, then
 * backward from dprice = 1 in reverse order, each node's backward(dout) returning [dx, dy].
 * `values` overrides the inputs' default values by id.
 */
export function evaluateGraph(graph: ShoppingGraph, values: Readonly<Record<string, number>> = {}): GraphValues {
  const forward: Record<string, number> = {};
  for (const input of graph.inputs) forward[input.id] = values[input.id] ?? input.value;
  const layers = new Map<string, MulLayer | AddLayer>();
  for (const node of graph.nodes) {
    const layer = node.op === 'mul' ? new MulLayer() : new AddLayer();
    layers.set(node.id, layer);
    forward[node.id] = layer.forward(read(forward, node.inputs[0]), read(forward, node.inputs[1]));
  }
  const last = lastNode(graph);
  const grad: Record<string, number> = {};
  const edgeGrad: Record<string, number> = {};
  for (const id of Object.keys(forward)) grad[id] = 0;
  // 5.4: the backward pass starts from ∂price/∂price = 1.
  grad[last.id] = 1;
  edgeGrad[edgeId(last.id, OUTPUT)] = 1;
  for (const node of [...graph.nodes].reverse()) {
    const [dx, dy] = layers.get(node.id)!.backward(grad[node.id]!);
    const [x, y] = node.inputs;
    edgeGrad[edgeId(x, node.id)] = dx;
    edgeGrad[edgeId(y, node.id)] = dy;
    // A value read by several nodes collects the gradient of every edge (the chain rule's sum).
    grad[x] = grad[x]! + dx;
    grad[y] = grad[y]! + dy;
  }
  return { forward, grad, edgeGrad, output: forward[last.id]! };
}

function read(forward: Readonly<Record<string, number>>, id: string): number {
  const v = forward[id];
  if (v === undefined) throw new Error(`shopping graph: "${id}" is read before it is computed; list nodes in forward order`);
  return v;
}

export function lastNode(graph: ShoppingGraph): GraphNode {
  const last = graph.nodes.at(-1);
  if (last === undefined) throw new Error(`shopping graph "${graph.id}" has no nodes`);
  return last;
}

/** One step of the walk-through: a node's forward, or a node's backward. */
export interface WalkStep {
  readonly phase: 'forward' | 'backward';
  readonly node: string;
}

/** The walk-through: every node's forward in order, then every node's backward in reverse. */
export function walkSteps(graph: ShoppingGraph): WalkStep[] {
  return [
    ...graph.nodes.map((n): WalkStep => ({ phase: 'forward', node: n.id })),
    ...[...graph.nodes].reverse().map((n): WalkStep => ({ phase: 'backward', node: n.id })),
  ];
}

/** Which numbers the drawing shows after some steps of the walk-through. */
export interface Revealed {
  /** Edges whose forward value is shown. */
  readonly forward: ReadonlySet<string>;
  /** Edges whose gradient is shown. */
  readonly backward: ReadonlySet<string>;
  /** The node the last step ran, if any. */
  readonly active: WalkStep | undefined;
}

/** Every edge of the graph, the output edge last. */
export function graphEdges(graph: ShoppingGraph): { id: string; source: string; target: string }[] {
  const edges = graph.nodes.flatMap((n) => n.inputs.map((source) => ({ id: edgeId(source, n.id), source, target: n.id })));
  const last = lastNode(graph);
  edges.push({ id: edgeId(last.id, OUTPUT), source: last.id, target: OUTPUT });
  return edges;
}

/**
 * What is known after `done` steps (undefined: the whole graph, outside the walk-through).
 * Before any step only the inputs' values are known; a forward step makes its node's value
 * known on its outgoing edges; the first backward step seeds dprice = 1 on the output edge,
 * and each backward step makes the gradients on its node's input edges known.
 */
export function revealedAfter(graph: ShoppingGraph, done: number | undefined): Revealed {
  const edges = graphEdges(graph);
  if (done === undefined) {
    const all = new Set(edges.map((e) => e.id));
    return { forward: all, backward: all, active: undefined };
  }
  const steps = walkSteps(graph);
  const known = new Set(graph.inputs.map((i) => i.id));
  const backward = new Set<string>();
  for (const step of steps.slice(0, done)) {
    if (step.phase === 'forward') {
      known.add(step.node);
    } else {
      backward.add(edgeId(lastNode(graph).id, OUTPUT));
      for (const e of edges) if (e.target === step.node) backward.add(e.id);
    }
  }
  const forward = new Set(edges.filter((e) => known.has(e.source)).map((e) => e.id));
  return { forward, backward, active: done > 0 ? steps[done - 1] : undefined };
}

/**
 * A number as the book prints it: up to 10 significant digits, so that float noise such as
 * 220.00000000000003 reads as 220 and 3.3000000000000003 as 3.3.
 */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(10)));
}
