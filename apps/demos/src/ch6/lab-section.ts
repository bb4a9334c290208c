import { builtinOptimizers } from '@dlfs/optimizers';
import { h, numberField } from '../page/dom.js';
import { LineChart } from '../page/line-chart.js';
import { MNIST_ASSET_FILE } from '../training/mnist-asset.js';
import { Ch6Client } from './ch6-client.js';
import { type Ch6WorkerMessage, DEFAULT_LAB, type LabSettings } from './ch6-protocol.js';
import { checkLab } from './ch6-session.js';

/** Runs shown at once: one colour each. */
const MAX_RUNS = 8;
const RUN_COLORS = ['--run-1', '--run-2', '--run-3', '--run-4', '--run-5', '--run-6', '--run-7', '--run-8'];
const INIT_CHOICES: { value: string; label: string }[] = [
  { value: 'he', label: 'He' },
  { value: 'xavier', label: 'Xavier' },
  { value: '1', label: 'std 1' },
  { value: '0.1', label: 'std 0.1' },
  { value: '0.01', label: 'std 0.01' },
  { value: '0.001', label: 'std 0.001' },
];

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** What a run changed, for its legend entry: "plain", "BN, λ 0.1, dropout 0.2", with the rest when it differs from the book's. */
export function describeRun(s: LabSettings): string {
  const parts: string[] = [];
  if (s.batchNorm) parts.push('Batch Norm');
  if (s.weightDecay > 0) parts.push(`λ ${s.weightDecay}`);
  if (s.dropout > 0) parts.push(`dropout ${s.dropout}`);
  if (parts.length === 0) parts.push('no regularisation');
  const init = INIT_CHOICES.find((c) => c.value === String(s.init))?.label ?? String(s.init);
  parts.push(`${s.digits} digits`, `${s.hiddenLayers}×100`, init, `${s.optimizer} ${s.lr}`, `${s.epochs} epochs`);
  if (s.seed !== 0) parts.push(`seed ${s.seed}`);
  return parts.join(', ');
}

/** Sections 6.3 and 6.4: Batch Normalization, weight decay and dropout against overfitting, run by run in a worker. */
export function labSection(): HTMLElement {
  const f = {
    digits: numberField('lab-digits', 'Training digits', DEFAULT_LAB.digits, { min: 10, max: 9000, step: 1 }),
    epochs: numberField('lab-epochs', 'Epochs', DEFAULT_LAB.epochs, { min: 1, max: 1000, step: 1 }),
    layers: numberField('lab-layers', 'Hidden layers of 100', DEFAULT_LAB.hiddenLayers, { min: 1, max: 8, step: 1 }),
    lr: numberField('lab-lr', 'Learning rate', DEFAULT_LAB.lr, { min: 0, max: 10, step: 'any' }),
    seed: numberField('lab-seed', 'Seed', DEFAULT_LAB.seed, { min: 0, step: 1 }),
    lambda: numberField('lab-lambda', 'λ', 0.1, { min: 0, max: 10, step: 'any' }),
    ratio: numberField('lab-ratio', 'Ratio', 0.2, { min: 0, max: 0.95, step: 'any' }),
  };
  const optimizer = h(
    'select',
    { id: 'lab-optimizer' },
    ...builtinOptimizers()
      .types()
      .map((t) => h('option', { value: t, selected: t === DEFAULT_LAB.optimizer }, t)),
  );
  const init = h('select', { id: 'lab-init' }, ...INIT_CHOICES.map((c) => h('option', { value: c.value, selected: c.value === DEFAULT_LAB.init }, c.label)));
  const check = (id: string, label: string): HTMLInputElement => h('input', { id, type: 'checkbox', 'aria-label': label });
  const bn = check('lab-bn', 'Batch Normalization');
  const wd = check('lab-wd', 'Weight decay');
  const dropout = check('lab-dropout', 'Dropout');
  const switchRow = (box: HTMLInputElement, label: string, ref: string, field?: { wrap: HTMLElement; input: HTMLInputElement }): HTMLElement => {
    if (field !== undefined) {
      field.input.disabled = !box.checked;
      box.addEventListener('change', () => {
        field.input.disabled = !box.checked;
      });
    }
    return h(
      'div',
      { class: 'lab-switch' },
      h('span', { class: 'field-check' }, box, h('label', { for: box.id }, label, h('span', { class: 'ref' }, ref))),
      field?.wrap,
    );
  };

  const add = h('button', { type: 'submit', class: 'button', 'data-action': 'lab-run' }, 'Add a run');
  const clear = h('button', { type: 'button', class: 'button button-quiet', 'data-action': 'lab-clear' }, 'Clear runs');
  const status = h(
    'p',
    { class: 'status', 'aria-live': 'polite', 'data-lab-status': '' },
    'Add a run with the switches off, then one with a switch on, and compare.',
  );
  const runsList = h('ol', { class: 'lab-runs', 'aria-label': 'Runs' });

  const chartOpts = (): ConstructorParameters<typeof LineChart>[1] => ({
    series: RUN_COLORS.map((c, k) => ({ name: `run ${k + 1}`, color: c, width: 2 })),
    yRange: [0, 1],
    yFormat: (v) => `${Math.round(v * 100)}%`,
    minX: 10,
    guide: { y: 0.1, color: '--muted' },
  });
  const trainCanvas = h('canvas', { class: 'chart', role: 'img', 'aria-label': 'Accuracy on the training digits per epoch, one line per run' });
  const testCanvas = h('canvas', { class: 'chart', role: 'img', 'aria-label': 'Accuracy on the test digits per epoch, one line per run' });
  const trainChart = new LineChart(trainCanvas, chartOpts());
  const testChart = new LineChart(testCanvas, chartOpts());

  interface Run {
    slot: number;
    settings: LabSettings;
    item: HTMLElement;
    result: HTMLElement;
  }
  const runs = new Map<number, Run>();
  let used = 0;
  const client = new Ch6Client(() => new Worker(new URL('./ch6-worker.ts', import.meta.url), { type: 'module' }), receive);

  const form = h(
    'form',
    { class: 'lab-form', 'aria-label': 'Lab run settings' },
    h(
      'div',
      { class: 'lab-switches' },
      switchRow(bn, 'Batch Normalization', '6.3'),
      switchRow(wd, 'Weight decay', '6.4.1', f.lambda),
      switchRow(dropout, 'Dropout', '6.4.3', f.ratio),
    ),
    h(
      'div',
      { class: 'fields' },
      f.digits.wrap,
      f.epochs.wrap,
      f.layers.wrap,
      h('div', { class: 'field' }, h('label', { for: 'lab-init' }, 'Initial weights'), init),
      h('div', { class: 'field' }, h('label', { for: 'lab-optimizer' }, 'Optimizer'), optimizer),
      f.lr.wrap,
      f.seed.wrap,
    ),
    h('div', { class: 'actions' }, add, clear),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const settings: LabSettings = {
      digits: f.digits.input.valueAsNumber,
      epochs: f.epochs.input.valueAsNumber,
      hiddenLayers: f.layers.input.valueAsNumber,
      init: init.value === 'he' || init.value === 'xavier' ? init.value : Number(init.value),
      batchNorm: bn.checked,
      weightDecay: wd.checked ? f.lambda.input.valueAsNumber : 0,
      dropout: dropout.checked ? f.ratio.input.valueAsNumber : 0,
      optimizer: optimizer.value,
      lr: f.lr.input.valueAsNumber,
      batchSize: DEFAULT_LAB.batchSize,
      seed: f.seed.input.valueAsNumber,
    };
    const problem = checkLab(settings);
    if (problem !== undefined || used >= MAX_RUNS) {
      status.className = 'status status-bad';
      status.textContent = problem ?? `${MAX_RUNS} runs is as many as the charts show: press Clear runs to start again.`;
      return;
    }
    status.className = 'status';
    const slot = used++;
    const result = h('span', { class: 'lab-result' }, 'queued');
    const item = h(
      'li',
      { class: 'lab-run', 'data-slot': slot, 'data-state': 'queued' },
      h('span', { class: 'legend-swatch', style: `background:var(${RUN_COLORS[slot]})` }),
      h('span', { class: 'lab-run-name' }, `Run ${slot + 1}: ${describeRun(settings)}`),
      result,
    );
    runsList.append(item);
    trainChart.extendX(settings.epochs);
    testChart.extendX(settings.epochs);
    const id = client.send({ type: 'lab', settings, datasetUrl: new URL(MNIST_ASSET_FILE, document.baseURI).href });
    runs.set(id, { slot, settings, item, result });
    status.textContent = runs.size === 1 ? 'Loading the digits…' : `Run ${slot + 1} is queued; the runs train one after another.`;
  });
  clear.addEventListener('click', () => {
    client.reset();
    runs.clear();
    used = 0;
    runsList.replaceChildren();
    trainChart.clear();
    testChart.clear();
    status.className = 'status';
    status.textContent = 'Cleared. Add a run.';
  });

  function receive(m: Ch6WorkerMessage): void {
    const run = runs.get(m.id);
    if (m.type === 'error' && run === undefined) {
      status.className = 'status status-bad';
      status.textContent = `The lab failed: ${m.message}`;
      return;
    }
    if (run === undefined) return;
    const { item, result, slot } = run;
    switch (m.type) {
      case 'lab-ready':
        item.dataset.state = 'running';
        result.textContent = 'training…';
        status.textContent =
          `Run ${slot + 1}: ${m.trainRows.toLocaleString('en')} training digits, ` +
          `${m.testRows.toLocaleString('en')} test digits, ${m.itersPerEpoch} iterations an epoch.`;
        break;
      case 'lab-epoch':
        trainChart.append(slot, [m.epoch, m.trainAccuracy]);
        testChart.append(slot, [m.epoch, m.testAccuracy]);
        result.textContent = `epoch ${m.epoch}: train ${pct(m.trainAccuracy)}, test ${pct(m.testAccuracy)}`;
        break;
      case 'lab-done': {
        item.dataset.state = 'done';
        item.dataset.train = String(m.trainAccuracy);
        item.dataset.test = String(m.testAccuracy);
        item.dataset.gap = String(m.trainAccuracy - m.testAccuracy);
        const gap = ((m.trainAccuracy - m.testAccuracy) * 100).toFixed(1);
        const blew = m.stopped === null ? '' : ' (stopped: the loss blew up)';
        result.textContent = `train ${pct(m.trainAccuracy)}, test ${pct(m.testAccuracy)}: a gap of ${gap} points${blew}`;
        status.textContent = `Run ${slot + 1} done in ${m.seconds.toFixed(1)} s.`;
        break;
      }
      case 'error':
        item.dataset.state = 'error';
        result.textContent = `failed: ${m.message}`;
        break;
      default:
        break;
    }
  }

  return h(
    'section',
    { id: 'regularisation', class: 'section', 'aria-labelledby': 'lab-title' },
    h('h2', { id: 'lab-title' }, h('span', { class: 'section-number' }, '6.3–6.4'), ' Batch Normalization and the fight against overfitting'),
    h(
      'p',
      { class: 'lede' },
      'The book’s overfitting experiment: only 300 training digits and a deep net (six layers of 100 ReLU units) learn the training digits by heart, ',
      'while the held-out test digits lag far behind. Turn on weight decay (λ·W added to every gradient) or Dropout and add another run; ',
      'Batch Normalization speeds learning up, most of all from poor initial weights. Each run is @dlfs/model’s Network and Trainer in a Web Worker, with ',
      h('code', {}, 'batch-norm'),
      ' and ',
      h('code', {}, 'dropout'),
      ' layers and ',
      h('code', {}, 'weightDecay'),
      ', as ',
      h('code', {}, 'dlfs train'),
      ' builds them.',
    ),
    h('div', { class: 'card' }, form, status),
    h(
      'div',
      { class: 'charts' },
      h('figure', { class: 'card chart-card' }, h('figcaption', {}, 'Train accuracy (the training digits)'), trainCanvas),
      h('figure', { class: 'card chart-card' }, h('figcaption', {}, 'Test accuracy (1,000 held-out digits)'), testCanvas),
    ),
    h('div', { class: 'card lab-legend' }, h('h4', {}, 'Runs'), runsList, h('p', { class: 'hint' }, 'x: epoch. The dashed line is chance, 10%.')),
  );
}
