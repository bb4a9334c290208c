import { describe, expect, it } from 'vitest';
import { layoutGraph } from './graph-layout.js';
import { APPLE_GRAPH, APPLE_ORANGE_GRAPH, graphEdges } from './shopping-graph.js';

describe.each([APPLE_GRAPH, APPLE_ORANGE_GRAPH])('layoutGraph($id)', (graph) => {
  const layout = layoutGraph(graph);

  it('draws every edge of the graph, ending on its target node’s rim', () => {
    expect(layout.edges.map((e) => e.id)).toEqual(graphEdges(graph).map((e) => e.id));
    for (const e of layout.edges) {
      if (e.target === 'output') continue;
      const center = layout.nodes.find((n) => n.id === e.target)!.center;
      const end = e.points.at(-1)!;
      expect(Math.hypot(end.x - center.x, end.y - center.y), e.id).toBeCloseTo(layout.nodeRadius, 9);
    }
  });

  it('writes forward values above their edge and gradients below', () => {
    for (const e of layout.edges) {
      const [a, b] = e.points;
      expect(a!.y, e.id).toBe(b!.y);
      expect(e.forwardAt.y, e.id).toBeLessThan(a!.y);
      expect(e.backwardAt.y, e.id).toBeGreaterThan(a!.y);
      expect(e.forwardAt.x).toBeGreaterThan(Math.min(a!.x, b!.x));
      expect(e.forwardAt.x).toBeLessThan(Math.max(a!.x, b!.x));
    }
  });

  it('keeps the numbers of different edges apart', () => {
    const spots = layout.edges.flatMap((e) => [e.forwardAt, e.backwardAt]);
    for (let i = 0; i < spots.length; i++) {
      for (let j = i + 1; j < spots.length; j++) {
        const [p, q] = [spots[i]!, spots[j]!];
        // Labels are about 40 × 16 pixels: closer than that in both directions would overlap.
        expect(Math.abs(p.x - q.x) > 40 || Math.abs(p.y - q.y) > 16, `labels ${i} and ${j}`).toBe(true);
      }
    }
  });

  it('fits everything in its box', () => {
    const xs = [...layout.nodes.map((n) => n.center.x + layout.nodeRadius), ...layout.edges.flatMap((e) => e.points.map((p) => p.x))];
    const ys = [...layout.nodes.map((n) => n.center.y + layout.nodeRadius), ...layout.edges.map((e) => e.backwardAt.y + 16)];
    expect(Math.max(...xs)).toBeLessThanOrEqual(layout.width);
    expect(Math.max(...ys)).toBeLessThanOrEqual(layout.height);
    expect(Math.min(...layout.edges.map((e) => e.forwardAt.y - 16))).toBeGreaterThanOrEqual(0);
  });
});
