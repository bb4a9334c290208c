import { h } from '../page/dom.js';
import { ACTIVATIONS, type ActivationKey, activationHistograms, INITS, type InitKey, type LayerActivations } from './activations.js';
import { liveCanvas } from './canvas.js';

const LAYERS = 5;

function drawHistogram(ctx: CanvasRenderingContext2D, w: number, hgt: number, color: (c: string) => string, layer: LayerActivations, top: number): void {
  const bottom = 18;
  const plot = hgt - bottom;
  const bins = layer.counts.length;
  const bw = w / bins;
  ctx.fillStyle = color('--accent');
  for (let i = 0; i < bins; i++) {
    const c = layer.counts[i]!;
    if (c === 0) continue;
    const bh = Math.max(1, (Math.min(c, top) / top) * (plot - 4));
    ctx.fillRect(i * bw + 0.5, plot - bh, Math.max(1, bw - 1), bh);
  }
  ctx.strokeStyle = color('--muted');
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, plot + 0.5);
  ctx.lineTo(w, plot + 0.5);
  ctx.stroke();
  ctx.fillStyle = color('--muted');
  ctx.font = `11px ${getComputedStyle(ctx.canvas).fontFamily}`;
  ctx.textBaseline = 'top';
  const [lo, hi] = layer.range;
  const label = (v: number): string => String(v).replace('-', '−');
  ctx.textAlign = 'left';
  ctx.fillText(label(lo), 0, plot + 3);
  ctx.textAlign = 'center';
  ctx.fillText(label((lo + hi) / 2), w / 2, plot + 3);
  ctx.textAlign = 'right';
  ctx.fillText(label(hi), w, plot + 3);
}

/** Section 6.2.2: the activations of a five-layer net (figures 6-10 to 6-14) for each initial weight and activation. */
export function initSection(): HTMLElement {
  let activation: ActivationKey = 'sigmoid';
  let init: InitKey = 'std1';
  const radios = <K extends string>(name: string, legend: string, items: readonly { key: K; label: string }[], chosen: K, pick: (k: K) => void): HTMLElement =>
    h(
      'fieldset',
      { class: 'segmented' },
      h('legend', {}, legend),
      ...items.map((it) => {
        const input = h('input', { type: 'radio', name, id: `${name}-${it.key}`, value: it.key, checked: it.key === chosen });
        input.addEventListener('change', () => {
          if (input.checked) pick(it.key);
        });
        return h('span', { class: 'segment' }, input, h('label', { for: input.id, class: 'segment-label' }, it.label));
      }),
    );

  const panels = Array.from({ length: LAYERS }, (_, k) => {
    const canvas = h('canvas', { class: 'hist-canvas', role: 'img', 'aria-label': `Histogram of layer ${k + 1}’s activations` });
    const stats = h('p', { class: 'hist-stats' });
    const figure = h('figure', { class: 'hist', 'data-layer': k + 1 }, h('figcaption', {}, `Layer ${k + 1}`), canvas, stats);
    let layer: LayerActivations | undefined;
    let top = 1;
    const redraw = liveCanvas(canvas, (ctx, w, hgt, color) => {
      if (layer !== undefined) drawHistogram(ctx, w, hgt, color, layer, top);
    });
    return {
      figure,
      show(l: LayerActivations, yTop: number): void {
        layer = l;
        top = yTop;
        figure.dataset.std = String(l.std);
        figure.dataset.mean = String(l.mean);
        const pct = (n: number): string => `${((100 * n) / l.size).toFixed(0)}%`;
        const notes = [`std ${l.std < 0.001 ? l.std.toExponential(1) : l.std.toFixed(3)}`];
        if (ACTIVATIONS.find((x) => x.key === activation)?.skipZeros === true) notes.push(`${pct(l.zeros)} are 0 (not drawn)`);
        if (l.above > 0) notes.push(`${pct(l.above)} above ${l.range[1]}`);
        stats.textContent = notes.join(' · ');
        redraw();
      },
    };
  });
  const summary = h('p', { class: 'hint', 'aria-live': 'polite', 'data-init-summary': '' });

  const update = (): void => {
    const t = performance.now();
    const layers = activationHistograms({ init, activation, layers: LAYERS });
    // One height for the five, as the book's figures share one y axis: the tallest bar.
    const top = Math.max(1, ...layers.map((l) => Math.max(...l.counts)));
    layers.forEach((l, k) => panels[k]!.show(l, top));
    const a = ACTIVATIONS.find((x) => x.key === activation)!;
    const i = INITS.find((x) => x.key === init)!;
    summary.textContent =
      `${a.label} with ${i.label} initial weights: 1,000 inputs from N(0, 1) through 5 × (Affine 100 → ${a.label}), ` +
      `${(performance.now() - t).toFixed(0)} ms in this page.`;
    grid.dataset.activation = activation;
    grid.dataset.init = init;
  };
  const grid = h('div', { class: 'hist-grid' }, ...panels.map((p) => p.figure));

  const controls = h(
    'div',
    { class: 'card hist-controls' },
    radios('init-weights', 'Initial weights', INITS, init, (k) => {
      init = k;
      update();
    }),
    radios('init-activation', 'Activation', ACTIVATIONS, activation, (k) => {
      activation = k;
      update();
    }),
  );
  update();

  return h(
    'section',
    { id: 'initial-weights', class: 'section', 'aria-labelledby': 'init-title' },
    h('h2', { id: 'init-title' }, h('span', { class: 'section-number' }, '6.2'), ' Initial weights and the activations they give'),
    h(
      'p',
      { class: 'lede' },
      'A thousand random inputs go through five layers of 100 units, made by @dlfs/layers’ affine (its ',
      h('code', {}, 'weightInitStd'),
      ': a std, Xavier’s √(1/n) or He’s √(2/n)) and its sigmoid or ReLU (tanh is a small layer of this page, registered beside them). ',
      'With std 1 the sigmoid outputs pile up at 0 and 1, where the gradient vanishes; ',
      'with std 0.01 they all say 0.5; Xavier keeps them spread, and for ReLU He does.',
    ),
    controls,
    h('div', { class: 'card' }, grid, summary),
  );
}
