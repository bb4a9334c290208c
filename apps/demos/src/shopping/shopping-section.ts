import { h, numberField } from '../page/dom.js';
import { layoutGraph } from './graph-layout.js';
import { drawGraph } from './graph-view.js';
import { APPLE_GRAPH, APPLE_ORANGE_GRAPH, evaluateGraph, formatValue, revealedAfter, type ShoppingGraph, walkSteps } from './shopping-graph.js';
import { describeStep, nameOf } from './step-description.js';

/** The 5.4 section: both shopping graphs, editable, with a step-by-step walk-through. */
export function shoppingSection(): HTMLElement {
  return h(
    'section',
    { id: 'graph', class: 'section', 'aria-labelledby': 'graph-title' },
    h('h2', { id: 'graph-title' }, h('span', { class: 'section-number' }, '5.4'), ' The computational graph'),
    h(
      'p',
      { class: 'lede' },
      'Each circle is a MulLayer (×) or an AddLayer (+) from @dlfs/layers. Values flow forward along the edges (black, above); ',
      'gradients of the price flow backward (red, below). Change a price, a count or the tax and both passes run again, ',
      'or press Step to watch them one node at a time.',
    ),
    h('div', { class: 'graph-cards' }, graphCard(APPLE_GRAPH, '5.4.1 · figure 5-16'), graphCard(APPLE_ORANGE_GRAPH, '5.4.2 · figure 5-17')),
  );
}

function graphCard(graph: ShoppingGraph, reference: string): HTMLElement {
  const values: Record<string, number> = Object.fromEntries(graph.inputs.map((i) => [i.id, i.value]));
  const layout = layoutGraph(graph);
  const steps = walkSteps(graph);
  // undefined: the whole graph is shown; a number: how many walk-through steps have run.
  let done: number | undefined;

  const fields = graph.inputs.map((input) => {
    const f = numberField(`${graph.id}-${input.id}`, input.label, input.value, { step: 'any', 'data-input': input.id });
    f.input.addEventListener('input', () => {
      const v = f.input.valueAsNumber;
      const ok = Number.isFinite(v);
      f.input.setAttribute('aria-invalid', String(!ok));
      if (!ok) return;
      values[input.id] = v;
      render();
    });
    return f.wrap;
  });

  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'graph');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `Computational graph: ${graph.title.toLowerCase()}`);
  // Below this width the numbers get too small to read: narrow screens scroll the graph instead.
  svg.style.minWidth = `${Math.round(layout.width * 0.72)}px`;

  const readout = h('p', { class: 'readout', 'data-graph-readout': graph.id, 'aria-live': 'polite' });
  const stepButton = h('button', { type: 'button', class: 'button' }, 'Step');
  const showAll = h('button', { type: 'button', class: 'button button-quiet' }, 'Show all');
  const status = h('p', { class: 'walk-status', 'aria-live': 'polite' });

  stepButton.addEventListener('click', () => {
    done = done === undefined || done >= steps.length ? 0 : done + 1;
    render();
  });
  showAll.addEventListener('click', () => {
    done = undefined;
    render();
  });

  function render(): void {
    const v = evaluateGraph(graph, values);
    drawGraph(svg, layout, v, revealedAfter(graph, done), `arrow-${graph.id}`);
    readout.replaceChildren(
      h('span', { class: 'readout-item' }, 'price = ', h('output', { 'data-value': 'price' }, formatValue(v.output))),
      ...graph.inputs.map((i) =>
        h('span', { class: 'readout-item readout-grad' }, `∂price/∂${nameOf(graph, i.id)} = `, h('output', { 'data-grad': i.id }, formatValue(v.grad[i.id]!))),
      ),
    );
    if (done === undefined) {
      stepButton.textContent = 'Step';
      status.textContent = 'Showing both passes. Step walks the forward pass, then the backward pass, node by node.';
    } else {
      const step = done === 0 ? undefined : steps[done - 1];
      stepButton.textContent = done >= steps.length ? 'Start over' : 'Step';
      status.textContent =
        step === undefined
          ? `Step 0 of ${steps.length}: only the inputs are known.`
          : `Step ${done} of ${steps.length}. ${describeStep(graph, v, step)}${done === steps.length ? '. Done: every gradient is known.' : ''}`;
    }
  }
  render();

  return h(
    'article',
    { class: 'card graph-card', 'data-graph': graph.id },
    h('h3', {}, graph.title, ' ', h('span', { class: 'ref' }, reference)),
    h('div', { class: 'fields fields-inline' }, ...fields),
    h('div', { class: 'graph-scroll', tabindex: 0, 'aria-label': `${graph.title}: the graph, scrollable sideways on narrow screens` }, svg),
    h('p', { class: 'scroll-hint', 'aria-hidden': 'true' }, 'Swipe sideways to see the whole graph →'),
    readout,
    h('div', { class: 'walk' }, stepButton, showAll),
    status,
  );
}
