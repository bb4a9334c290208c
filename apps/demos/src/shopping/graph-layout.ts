import { graphEdges, type ShoppingGraph } from './shopping-graph.js';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface LaidOutNode {
  readonly id: string;
  readonly symbol: string;
  readonly center: Point;
}

/** An input's name, written where its edge starts. */
export interface LaidOutLabel {
  readonly id: string;
  readonly text: string;
  readonly at: Point;
  readonly anchor: 'start' | 'middle' | 'end';
}

export interface LaidOutEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** The polyline from the source to the target's rim: a level run, then (between rows) a slope. */
  readonly points: readonly Point[];
  /** Where the forward value is written: above the level run. */
  readonly forwardAt: Point;
  /** Where the backward gradient is written: below the level run. */
  readonly backwardAt: Point;
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly nodeRadius: number;
  readonly nodes: readonly LaidOutNode[];
  readonly edges: readonly LaidOutEdge[];
  readonly labels: readonly LaidOutLabel[];
}

export interface LayoutOptions {
  colWidth?: number;
  rowHeight?: number;
  nodeRadius?: number;
  /** Room left of column 0 for the input names. */
  left?: number;
  top?: number;
  /** How far the value labels sit from the edge's midpoint, perpendicular to it. */
  labelOffset?: number;
  /** The fraction of a column over which an edge between rows slopes into its target. */
  bend?: number;
}

/**
 * Places the graph on a grid the way the book draws it: inputs on the left with their names,
 * nodes as circles, the result leaving on the right. Every edge runs from its source (an input's
 * position or a node's rim) to its target node's rim; its forward value sits above the middle of
 * its first segment and its gradient below.
 */
export function layoutGraph(graph: ShoppingGraph, opts: LayoutOptions = {}): GraphLayout {
  const colWidth = opts.colWidth ?? 140;
  const rowHeight = opts.rowHeight ?? 78;
  const r = opts.nodeRadius ?? 20;
  const left = opts.left ?? 112;
  const top = opts.top ?? 40;
  const offset = opts.labelOffset ?? 12;
  const bend = opts.bend ?? 0.42;
  const place = (col: number, row: number): Point => ({ x: left + col * colWidth, y: top + row * rowHeight });

  const positions = new Map<string, { at: Point; isNode: boolean }>();
  for (const input of graph.inputs) positions.set(input.id, { at: place(input.col, input.row), isNode: false });
  for (const node of graph.nodes) positions.set(node.id, { at: place(node.col, node.row), isNode: true });
  const out = place(graph.output.col, graph.output.row);

  const edges = graphEdges(graph).map((e): LaidOutEdge => {
    const source = positions.get(e.source)!;
    const target = e.target === 'output' ? out : positions.get(e.target)!.at;
    const from = source.isNode ? { x: source.at.x + r, y: source.at.y } : source.at;
    // An edge between rows runs level from its source, then slopes into the target over the
    // last part of the column, so every edge's numbers sit on a level run of their own row.
    const bendX = target.x - bend * colWidth;
    const points: Point[] = [from];
    if (from.y !== target.y && bendX - from.x > 2 * r) points.push({ x: bendX, y: from.y });
    const corner = points[points.length - 1]!;
    if (e.target === 'output') {
      points.push(target);
    } else {
      // End on the target's rim, along the last segment's direction.
      const dx = target.x - corner.x;
      const dy = target.y - corner.y;
      const len = Math.hypot(dx, dy);
      points.push({ x: target.x - (dx / len) * r, y: target.y - (dy / len) * r });
    }
    const a = points[0]!;
    const b = points[1]!;
    const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    // The unit normal of the first segment that points up the page (smaller y).
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    let nx = -(b.y - a.y) / len;
    let ny = (b.x - a.x) / len;
    if (ny > 0 || (ny === 0 && nx > 0)) {
      nx = -nx;
      ny = -ny;
    }
    return {
      id: e.id,
      source: e.source,
      target: e.target,
      points,
      forwardAt: { x: mid.x + nx * offset, y: mid.y + ny * offset },
      backwardAt: { x: mid.x - nx * offset, y: mid.y - ny * offset },
    };
  });

  const labels: LaidOutLabel[] = graph.inputs.map((i) => {
    const at = positions.get(i.id)!.at;
    return { id: i.id, text: i.label, at: { x: at.x - 8, y: at.y }, anchor: 'end' };
  });
  labels.push({ id: 'output', text: graph.output.label, at: { x: out.x + 8, y: out.y }, anchor: 'start' });

  const nodes = graph.nodes.map((n): LaidOutNode => ({ id: n.id, symbol: n.symbol, center: positions.get(n.id)!.at }));
  const xs = [out.x + 8 + graph.output.label.length * 9, ...nodes.map((n) => n.center.x + r)];
  const ys = [...[...positions.values()].map((p) => p.at.y), out.y];
  return {
    width: Math.ceil(Math.max(...xs) + 16),
    height: Math.ceil(Math.max(...ys) + r + 2 * offset + 12),
    nodeRadius: r,
    nodes,
    edges,
    labels,
  };
}
