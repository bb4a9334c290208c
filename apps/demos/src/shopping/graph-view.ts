import type { GraphLayout } from './graph-layout.js';
import { formatValue, type GraphValues, type Revealed } from './shopping-graph.js';

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Draws a laid-out graph into `svg`, as the book's figures do: forward values above the edges,
 * backward gradients below them in red. Numbers not yet computed in the walk-through show as "?".
 * Every value is tagged with data-edge and data-kind so that tests and styles can find it.
 */
export function drawGraph(svg: SVGSVGElement, layout: GraphLayout, values: GraphValues, revealed: Revealed, markerId: string): void {
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
  const defs = el('defs', {});
  const marker = el('marker', { id: markerId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(el('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'graph-arrow' }));
  defs.append(marker);
  svg.append(defs);

  const active = revealed.active;
  for (const e of layout.edges) {
    // The edges into the node of the current step: its inputs going forward, its gradients coming back.
    const hot = active !== undefined && e.target === active.node;
    svg.append(
      el('polyline', {
        points: e.points.map((p) => `${p.x},${p.y}`).join(' '),
        class: `graph-edge${hot ? ` graph-edge-${active!.phase}` : ''}`,
        'marker-end': `url(#${markerId})`,
      }),
    );
    const shownForward = revealed.forward.has(e.id);
    const shownBackward = revealed.backward.has(e.id);
    svg.append(
      el(
        'text',
        {
          x: e.forwardAt.x,
          y: e.forwardAt.y,
          class: 'graph-forward',
          'data-edge': e.id,
          'data-kind': 'forward',
          'text-anchor': 'middle',
          'dominant-baseline': 'auto',
        },
        shownForward ? formatValue(values.forward[e.source]!) : '?',
      ),
      el(
        'text',
        {
          x: e.backwardAt.x,
          y: e.backwardAt.y,
          class: 'graph-backward',
          'data-edge': e.id,
          'data-kind': 'backward',
          'text-anchor': 'middle',
          'dominant-baseline': 'hanging',
        },
        shownBackward ? formatValue(values.edgeGrad[e.id]!) : '?',
      ),
    );
  }
  for (const n of layout.nodes) {
    const isActive = active?.node === n.id;
    const g = el('g', { class: `graph-node${isActive ? ` graph-node-${active!.phase}` : ''}`, 'data-node': n.id });
    g.append(
      el('circle', { cx: n.center.x, cy: n.center.y, r: layout.nodeRadius }),
      el('text', { x: n.center.x, y: n.center.y, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, n.symbol),
    );
    svg.append(g);
  }
  for (const l of layout.labels) {
    svg.append(el('text', { x: l.at.x, y: l.at.y, class: 'graph-label', 'text-anchor': l.anchor, 'dominant-baseline': 'central' }, l.text));
  }
}
