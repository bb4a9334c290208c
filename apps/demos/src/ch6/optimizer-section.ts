import { ema } from '../page/chart-math.js';
import { h, numberField } from '../page/dom.js';
import { LineChart } from '../page/line-chart.js';
import { MNIST_ASSET_FILE } from '../training/mnist-asset.js';
import { liveCanvas } from './canvas.js';
import { Ch6Client } from './ch6-client.js';
import { COMPARE_OPTIMIZERS, type CompareSettings, type Ch6WorkerMessage, DEFAULT_COMPARE } from './ch6-protocol.js';
import { checkCompare } from './ch6-session.js';
import { BOOK_STEPS, endDistance, optimizerPath, PATH_OPTIMIZERS } from './optimizer-paths.js';

/** The window of figure 6-8: x from −10 to 10, y from −5 to 5, one scale for both. */
const X_HALF = 10;
const Y_HALF = 5;
/** Levels of f drawn as contours: ellipses x²/(20c) + y²/c = 1. */
const LEVELS = [0.1, 0.3, 0.6, 1, 1.6, 2.5, 3.6, 5, 7];
/** Smoothing of the race's loss curves (the book smooths them too, with smooth_curve). */
const LOSS_SMOOTHING = 0.1;

const fmt = (v: number): string => (Math.abs(v) < 0.005 ? '0.00' : v.toFixed(2)).replace('-', '−');

/** Draws the contours of f, its minimum and one optimizer's path. */
function drawPath(ctx: CanvasRenderingContext2D, w: number, hgt: number, color: (c: string) => string, path: Float64Array, ink: string): void {
  const s = Math.min(w / (2 * X_HALF), hgt / (2 * Y_HALF));
  const cx = w / 2;
  const cy = hgt / 2;
  const px = (x: number): number => cx + x * s;
  const py = (y: number): number => cy - y * s;
  ctx.lineWidth = 1;
  ctx.strokeStyle = color('--rule');
  ctx.beginPath();
  ctx.moveTo(0, cy + 0.5);
  ctx.lineTo(w, cy + 0.5);
  ctx.moveTo(cx + 0.5, 0);
  ctx.lineTo(cx + 0.5, hgt);
  ctx.stroke();
  LEVELS.forEach((c, k) => {
    ctx.strokeStyle = `rgba(91, 100, 114, ${0.25 + (0.35 * k) / LEVELS.length})`;
    ctx.beginPath();
    ctx.ellipse(cx, cy, Math.sqrt(20 * c) * s, Math.sqrt(c) * s, 0, 0, 2 * Math.PI);
    ctx.stroke();
  });
  ctx.font = `11px ${getComputedStyle(ctx.canvas).fontFamily}`;
  ctx.fillStyle = color('--muted');
  ctx.textBaseline = 'bottom';
  ctx.textAlign = 'left';
  ctx.fillText('−10', 3, cy - 2);
  ctx.textAlign = 'right';
  ctx.fillText('10', w - 3, cy - 2);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText('5', cx + 4, 2);
  ctx.textBaseline = 'bottom';
  ctx.fillText('−5', cx + 4, hgt - 2);
  // The minimum, (0, 0).
  ctx.strokeStyle = color('--ink');
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(cx - 6, cy);
  ctx.lineTo(cx + 6, cy);
  ctx.moveTo(cx, cy - 6);
  ctx.lineTo(cx, cy + 6);
  ctx.stroke();

  const n = path.length / 2;
  const finite = (i: number): boolean => Number.isFinite(path[2 * i]!) && Number.isFinite(path[2 * i + 1]!);
  ctx.strokeStyle = color(ink);
  ctx.fillStyle = color(ink);
  ctx.lineWidth = 1.6;
  ctx.beginPath();
  for (let i = 0; i < n && finite(i); i++) {
    if (i === 0) ctx.moveTo(px(path[0]!), py(path[1]!));
    else ctx.lineTo(px(path[2 * i]!), py(path[2 * i + 1]!));
  }
  ctx.stroke();
  for (let i = 1; i < n && finite(i); i++) {
    ctx.beginPath();
    ctx.arc(px(path[2 * i]!), py(path[2 * i + 1]!), i === n - 1 ? 4.5 : 2.5, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.arc(px(path[0]!), py(path[1]!), 4.5, 0, 2 * Math.PI);
  ctx.fillStyle = color('--card');
  ctx.fill();
  ctx.stroke();
}

/** Section 6.1: the paths of figure 6-8 on f(x, y) = x²/20 + y², and the MNIST race of figure 6-9. */
export function optimizerSection(): HTMLElement {
  const steps = h('input', { id: 'opt-steps', type: 'range', min: 0, max: 100, step: 1, value: BOOK_STEPS, 'aria-describedby': 'opt-steps-out' });
  const stepsOut = h('output', { id: 'opt-steps-out', for: 'opt-steps', 'data-steps': BOOK_STEPS }, `${BOOK_STEPS} steps`);
  const rows = PATH_OPTIMIZERS.map((o) => {
    const show = h('input', { id: `opt-show-${o.type}`, type: 'checkbox', checked: o.shown });
    const lr = h('input', { id: `opt-lr-${o.type}`, type: 'number', value: o.lr, min: 0, max: 100, step: 'any', inputmode: 'decimal' });
    const canvas = h('canvas', { class: 'path-canvas', role: 'img', 'aria-label': `The path of ${o.label} on f(x, y) = x²/20 + y²` });
    const title = h('figcaption', {}, o.label);
    const readout = h('p', { class: 'path-readout' });
    const figure = h('figure', { class: 'path-card', 'data-optimizer': o.type, hidden: !o.shown }, title, canvas, readout);
    let path: Float64Array = new Float64Array(2);
    const redraw = liveCanvas(canvas, (ctx, w, hgt, color) => drawPath(ctx, w, hgt, color, path, `--opt-${o.type}`));
    const update = (): void => {
      figure.hidden = !show.checked;
      const rate = lr.valueAsNumber;
      const ok = Number.isFinite(rate) && rate > 0 && rate <= 100;
      lr.setAttribute('aria-invalid', String(!ok));
      if (!ok) {
        readout.textContent = 'The learning rate must be a number above 0 (at most 100).';
        return;
      }
      const n = steps.valueAsNumber;
      path = optimizerPath(o.type, rate, n);
      const x = path[2 * n]!;
      const y = path[2 * n + 1]!;
      const d = endDistance(path);
      title.textContent = `${o.label} · lr ${rate}`;
      figure.dataset.endX = String(x);
      figure.dataset.endY = String(y);
      figure.dataset.distance = String(d);
      figure.dataset.steps = String(n);
      readout.textContent = Number.isFinite(d)
        ? `After ${n} step${n === 1 ? '' : 's'}: (${fmt(x)}, ${fmt(y)}), ${d < 0.005 ? 'at' : `${d.toFixed(2)} from`} the minimum.`
        : `After ${n} steps the path has left for infinity: the learning rate is too large.`;
      redraw();
    };
    show.addEventListener('change', update);
    lr.addEventListener('input', update);
    const row = h(
      'div',
      { class: 'opt-row' },
      h(
        'span',
        { class: 'field-check' },
        show,
        h('label', { for: show.id }, h('span', { class: 'legend-swatch', style: `background:var(--opt-${o.type})` }), o.label),
      ),
      h('label', { class: 'opt-lr', for: lr.id }, h('span', { class: 'visually-hidden' }, `${o.label} `), 'lr', lr),
    );
    return { row, figure, update };
  });
  const updateAll = (): void => {
    const n = steps.valueAsNumber;
    stepsOut.textContent = `${n} step${n === 1 ? '' : 's'}`;
    stepsOut.dataset.steps = String(n);
    for (const r of rows) r.update();
  };
  steps.addEventListener('input', updateAll);
  updateAll();

  const controls = h(
    'div',
    { class: 'opt-controls' },
    h('fieldset', { class: 'opt-list' }, h('legend', {}, 'Optimizers and learning rates'), ...rows.map((r) => r.row)),
    h('div', { class: 'field opt-steps' }, h('label', { for: 'opt-steps' }, 'Updates from (−7, 2)'), steps, stepsOut),
  );

  return h(
    'section',
    { id: 'optimizers', class: 'section', 'aria-labelledby': 'optimizers-title' },
    h('h2', { id: 'optimizers-title' }, h('span', { class: 'section-number' }, '6.1'), ' Four ways down a valley'),
    h(
      'p',
      { class: 'lede' },
      'f(x, y) = x²/20 + y² is a long, shallow valley with its minimum at (0, 0). Each path starts at (−7, 2) and is taken by @dlfs/optimizers’ own ',
      h('code', {}, 'update(params, grads)'),
      ' on the exact gradient (x/10, 2y), as in figure 6-8: ',
      'SGD zigzags across the valley, Momentum rolls like a ball, AdaGrad’s steps shrink, Adam does a bit of both.',
    ),
    h('div', { class: 'card' }, controls),
    h('div', { class: 'path-grid' }, ...rows.map((r) => r.figure)),
    raceCard(),
  );
}

/** Figure 6-9: the same network trained by SGD, Momentum, AdaGrad and Adam side by side, in a worker. */
function raceCard(): HTMLElement {
  const fields = {
    hiddenLayers: numberField('race-layers', 'Hidden layers of 100', DEFAULT_COMPARE.hiddenLayers, { min: 1, max: 5, step: 1 }),
    iterations: numberField('race-iterations', 'Iterations', DEFAULT_COMPARE.iterations, { min: 1, max: 5000, step: 1 }),
    batchSize: numberField('race-batch', 'Batch size', DEFAULT_COMPARE.batchSize, { min: 1, max: 1000, step: 1 }),
    seed: numberField('race-seed', 'Seed', DEFAULT_COMPARE.seed, { min: 0, step: 1 }),
  };
  const run = h('button', { type: 'submit', class: 'button', 'data-action': 'race' }, 'Race');
  const status = h('p', { class: 'status', 'aria-live': 'polite', 'data-race-status': '' }, 'Press Race to train the four on the bundled digits.');
  const canvas = h('canvas', { class: 'chart', role: 'img', 'aria-label': 'Training loss of SGD, Momentum, AdaGrad and Adam per iteration' });
  const chart = new LineChart(canvas, {
    series: COMPARE_OPTIMIZERS.map((o) => ({ name: o.label, color: o.color, width: 2 })),
    minX: 10,
  });
  const items = COMPARE_OPTIMIZERS.map((o) =>
    h(
      'span',
      { class: 'legend-item', 'data-race': o.type },
      h('span', { class: 'legend-swatch', style: `background:var(${o.color})` }),
      h('span', {}, `${o.label} (lr ${o.lr})`, h('span', { class: 'race-loss' })),
    ),
  );
  let current = 0;
  let raw: number[][] = [];
  let smoothed: (number | undefined)[] = [];
  const client = new Ch6Client(() => new Worker(new URL('./ch6-worker.ts', import.meta.url), { type: 'module' }), receive);

  const form = h(
    'form',
    { class: 'controls', 'aria-label': 'Optimizer race settings' },
    h('div', { class: 'fields' }, fields.hiddenLayers.wrap, fields.iterations.wrap, fields.batchSize.wrap, fields.seed.wrap),
    h('div', { class: 'actions' }, run),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const settings: CompareSettings = {
      hiddenLayers: fields.hiddenLayers.input.valueAsNumber,
      iterations: fields.iterations.input.valueAsNumber,
      batchSize: fields.batchSize.input.valueAsNumber,
      seed: fields.seed.input.valueAsNumber,
    };
    const problem = checkCompare(settings);
    if (problem !== undefined) {
      status.className = 'status status-bad';
      status.textContent = problem;
      return;
    }
    client.reset();
    chart.clear();
    chart.extendX(settings.iterations);
    raw = COMPARE_OPTIMIZERS.map(() => []);
    smoothed = COMPARE_OPTIMIZERS.map(() => undefined);
    for (const item of items) {
      item.querySelector('.race-loss')!.textContent = '';
      delete item.dataset.first;
      delete item.dataset.last;
      delete item.dataset.points;
    }
    status.className = 'status';
    status.textContent = 'Loading the digits…';
    card.dataset.state = 'running';
    run.textContent = 'Race again';
    current = client.send({ type: 'compare', settings, datasetUrl: new URL(MNIST_ASSET_FILE, document.baseURI).href });
  });

  const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
  function receive(m: Ch6WorkerMessage): void {
    if (m.id !== current && m.id !== 0) return;
    if (m.type === 'compare-ready') {
      const rows = m.trainRows.toLocaleString('en');
      status.textContent = `Training ${m.layers.join('-')} (ReLU, He’s initial weights) four times on ${rows} digits, one step of each in turn…`;
    } else if (m.type === 'compare-progress') {
      m.losses.forEach((pairs, k) => {
        const ys = new Float64Array(pairs.length / 2).map((_, i) => pairs[2 * i + 1]!);
        const s = ema(ys, LOSS_SMOOTHING, smoothed[k]);
        const points = new Float64Array(pairs.length);
        for (let i = 0; i < s.length; i++) {
          points[2 * i] = pairs[2 * i]!;
          points[2 * i + 1] = s[i]!;
        }
        if (s.length > 0) smoothed[k] = s[s.length - 1];
        chart.append(k, points);
        raw[k]!.push(...ys);
        const item = items[k]!;
        const r = raw[k]!;
        if (r.length === 0) return;
        item.dataset.first = String(mean(r.slice(0, 10)));
        item.dataset.last = String(mean(r.slice(-10)));
        item.dataset.points = String(r.length);
        item.querySelector('.race-loss')!.textContent = `: loss ${smoothed[k]!.toFixed(2)}`;
      });
    } else if (m.type === 'compare-done') {
      card.dataset.state = 'done';
      status.textContent = `Done: ${m.iteration.toLocaleString('en')} iterations of each in ${m.seconds.toFixed(1)} s.`;
    } else if (m.type === 'error') {
      card.dataset.state = 'error';
      status.className = 'status status-bad';
      status.textContent = `The race failed: ${m.message}`;
    }
  }

  const card = h(
    'div',
    { class: 'race' },
    h('h3', {}, 'The same network, four optimizers, on MNIST ', h('span', { class: 'ref' }, 'figure 6-9')),
    h(
      'p',
      { class: 'hint' },
      'Each optimizer trains its own copy of one network (the same initial weights, the same mini-batches) with the book’s learning rates, ',
      'in a Web Worker, a step of each in turn.',
    ),
    h('div', { class: 'card' }, form, status),
    h(
      'figure',
      { class: 'card chart-card race-chart' },
      h('figcaption', {}, 'Training loss (smoothed), by iteration'),
      canvas,
      h('p', { class: 'legend' }, ...items),
    ),
  );
  return card;
}
