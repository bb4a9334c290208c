import { type ModelContents, serializeModel } from '@dlfs/model';
import { builtinOptimizers } from '@dlfs/optimizers';
import { TileGrid } from '../ch7/conv-views.js';
import { NETWORK_CHOICES, NETWORK_NAMES, type NetworkChoice } from '../ch7/simple-convnet.js';
import { describeKernels, type KernelInfo } from '../training/kernel-threads.js';
import { MNIST_ASSET_FILE } from '../training/mnist-asset.js';
import { DIGIT_PIXELS, Predictor } from '../training/predictor.js';
import type { WorkerMessage } from '../training/protocol.js';
import { type RunState, TrainingClient } from '../training/training-client.js';
import { CONVNET_SETTINGS, checkSettings, DEFAULT_SETTINGS, defaultLearningRate, type TrainingSettings } from '../training/training-settings.js';
import { ema } from './chart-math.js';
import { digitThumb } from './digit-thumb.js';
import { $, h, numberField } from './dom.js';
import { LineChart } from './line-chart.js';

export interface TrainingHooks {
  /** The page's model of a network whenever new weights arrive (undefined when a new run of it starts). */
  onModel(predictor: Predictor | undefined, network: NetworkChoice): void;
  /** A misclassified digit the person clicked. */
  onPickDigit(pixels: Uint8Array, caption: string): void;
}

/** Smoothing of the loss curve: each mini-batch loss moves the average by 5%. */
const LOSS_SMOOTHING = 0.05;

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** The 5.7.4 section: train the chapter-5 network on the MNIST sample in a worker and watch it learn. */
export function trainingSection(hooks: TrainingHooks): HTMLElement {
  const fields = {
    hidden: numberField('tr-hidden', 'Hidden units', DEFAULT_SETTINGS.hidden, { min: 1, max: 1000, step: 1 }),
    lr: numberField('tr-lr', 'Learning rate', DEFAULT_SETTINGS.lr, { min: 0, max: 10, step: 'any' }),
    batchSize: numberField('tr-batch', 'Batch size', DEFAULT_SETTINGS.batchSize, { min: 1, max: 9000, step: 1 }),
    seed: numberField('tr-seed', 'Seed', DEFAULT_SETTINGS.seed, { min: 0, step: 1 }),
    iterations: numberField('tr-iterations', 'Iterations', DEFAULT_SETTINGS.iterations, { min: 1, max: 100000, step: 1 }),
  };
  const optimizer = h(
    'select',
    { id: 'tr-optimizer' },
    ...builtinOptimizers()
      .types()
      .map((t) => h('option', { value: t, selected: t === DEFAULT_SETTINGS.optimizer }, t)),
  );
  optimizer.addEventListener('change', () => {
    fields.lr.input.value = String(defaultLearningRate(optimizer.value));
  });
  const optimizerField = h('div', { class: 'field' }, h('label', { for: 'tr-optimizer' }, 'Optimizer'), optimizer);
  // 7.5: the network to train; SimpleConvNet starts from `dlfs train --spec simple-convnet --optimizer adam --lr 0.001`.
  const networkSelect = h(
    'select',
    { id: 'tr-network' },
    ...NETWORK_CHOICES.map((n) => h('option', { value: n, selected: n === DEFAULT_SETTINGS.network }, NETWORK_NAMES[n])),
  );
  networkSelect.addEventListener('change', () => {
    const conv = networkSelect.value === 'simple-convnet';
    const start = conv ? CONVNET_SETTINGS : DEFAULT_SETTINGS;
    optimizer.value = start.optimizer;
    fields.lr.input.value = String(start.lr);
    fields.iterations.input.value = String(start.iterations);
    fields.hidden.input.disabled = conv;
  });
  const networkField = h('div', { class: 'field' }, h('label', { for: 'tr-network' }, 'Network'), networkSelect);

  const trainButton = h('button', { type: 'submit', class: 'button', 'data-action': 'train' }, 'Train');
  const pauseButton = h('button', { type: 'button', class: 'button button-quiet', 'data-action': 'pause', disabled: true }, 'Pause');
  const saveButton = h('button', { type: 'button', class: 'button button-quiet', 'data-action': 'save', disabled: true }, 'Save model');
  const exportButton = h(
    'button',
    {
      type: 'button',
      class: 'button button-quiet',
      'data-action': 'export-onnx',
      disabled: true,
      title: 'Train a model first: there is nothing to export yet.',
    },
    'Export to ONNX',
  );
  // What Export to ONNX did: the file's size, or why it failed.
  const exportStatus = h('p', { class: 'hint', 'aria-live': 'polite', 'data-export-status': '', hidden: true });
  const status = h(
    'p',
    { class: 'status', 'aria-live': 'polite', 'data-training-status': '' },
    'Press Train to start. The digits are the 10,000 of the bundled MNIST sample; 1,000 are held out for validation.',
  );

  const form = h(
    'form',
    { class: 'controls', 'aria-label': 'Training settings' },
    h(
      'div',
      { class: 'fields' },
      networkField,
      fields.hidden.wrap,
      optimizerField,
      fields.lr.wrap,
      fields.batchSize.wrap,
      fields.seed.wrap,
      fields.iterations.wrap,
    ),
    h('div', { class: 'actions' }, trainButton, pauseButton, saveButton, exportButton),
    exportStatus,
  );

  const stat = (key: string, label: string): HTMLElement => h('div', { class: 'stat' }, h('dt', {}, label), h('dd', { 'data-stat': key }, '–'));
  const stats = h(
    'dl',
    { class: 'stats' },
    stat('iteration', 'Iteration'),
    stat('epoch', 'Epoch'),
    stat('loss', 'Loss'),
    stat('train-accuracy', 'Train accuracy'),
    stat('val-accuracy', 'Validation accuracy'),
    stat('speed', 'Speed'),
  );
  // Where the worker's kernels run, once it says: WASM SIMD or TypeScript, on how many threads, and why only one.
  const kernelsLine = h('p', { class: 'hint', 'data-kernels': '', hidden: true });
  const showKernels = (k: KernelInfo): void => {
    kernelsLine.textContent = `Kernels: ${describeKernels(k)}.`;
    kernelsLine.dataset.threads = String(k.threads);
    kernelsLine.dataset.requested = String(k.requested);
    kernelsLine.hidden = false;
  };
  const setStat = (key: string, text: string, value?: number): void => {
    const dd = $(stats, `[data-stat="${key}"]`);
    dd.textContent = text;
    if (value !== undefined) dd.dataset.value = String(value);
    else delete dd.dataset.value;
  };

  const lossCanvas = h('canvas', { class: 'chart', role: 'img', 'aria-label': 'Loss per iteration' });
  const accCanvas = h('canvas', { class: 'chart', role: 'img', 'aria-label': 'Train and validation accuracy per epoch' });
  const lossChart = new LineChart(lossCanvas, {
    series: [
      { name: 'mini-batch loss', color: '--loss-faint', dots: true },
      { name: 'smoothed', color: '--loss', width: 2 },
    ],
    minX: 100,
  });
  const accChart = new LineChart(accCanvas, {
    series: [
      { name: 'train', color: '--train', width: 2 },
      { name: 'validation', color: '--val', width: 2.5 },
    ],
    // Ten balanced classes: guessing is right 10% of the time.
    guide: { y: 0.1, color: '--muted' },
    yRange: [0, 1],
    yFormat: (v) => `${Math.round(v * 100)}%`,
    minX: 100,
  });
  const legend = (...items: [string, string][]): HTMLElement =>
    h(
      'p',
      { class: 'legend' },
      ...items.map(([css, text]) => h('span', { class: 'legend-item' }, h('span', { class: 'legend-swatch', style: `background:var(${css})` }), text)),
    );

  const warnings = h('ul', { class: 'warnings', 'aria-live': 'polite' });
  const perClass = h('div', { class: 'per-class', role: 'group', 'aria-label': 'Validation accuracy of each digit' });
  const wrongTitle = h('h4', {}, 'Validation digits it gets wrong');
  const wrongGrid = h('div', { class: 'wrong-grid' });
  const wrongHint = h(
    'p',
    { class: 'hint' },
    'After the first epoch the digits the network misclassifies appear here. Click one to put it on the drawing pad.',
  );

  // Figure 7-24: SimpleConvNet's 30 first-layer filters, 5 × 5 each, before and after training.
  const beforeGrid = new TileGrid(30, 5, 'The 30 first-layer filters before training', { 'data-filters': 'before' });
  const afterGrid = new TileGrid(30, 5, 'The 30 first-layer filters now', { 'data-filters': 'after' });
  const afterTitle = h('figcaption', {}, 'After');
  const filtersCaption = h('p', { class: 'hint', 'data-filters-caption': '' });
  const filtersCard = h(
    'div',
    { class: 'card', 'data-filters-card': '', hidden: true },
    h('h4', {}, 'The first layer’s 30 filters (figure 7-24)'),
    h(
      'div',
      { class: 'filters-pair' },
      h('figure', {}, h('figcaption', {}, 'Before: the initial weights'), beforeGrid.element),
      h('figure', {}, afterTitle, afterGrid.element),
    ),
    filtersCaption,
    h('p', { class: 'hint' }, 'Each 5 × 5 filter is scaled to its own range, as the book draws them: dark is its largest weight, white its smallest.'),
  );
  let filtersBefore: Float32Array | undefined;

  let predictor: Predictor | undefined;
  let settings: TrainingSettings = { ...DEFAULT_SETTINGS };
  let smoothed: number | undefined;
  let iterations = 0;

  const client = new TrainingClient(() => new Worker(new URL('../training/training-worker.ts', import.meta.url), { type: 'module' }), receive, showState);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen: TrainingSettings = {
      network: networkSelect.value as NetworkChoice,
      hidden: fields.hidden.input.valueAsNumber,
      optimizer: optimizer.value,
      lr: fields.lr.input.valueAsNumber,
      batchSize: fields.batchSize.input.valueAsNumber,
      seed: fields.seed.input.valueAsNumber,
      iterations: fields.iterations.input.valueAsNumber,
    };
    const problem = checkSettings(chosen);
    if (problem !== undefined) {
      status.textContent = problem;
      status.className = 'status status-bad';
      return;
    }
    settings = chosen;
    predictor = undefined;
    hooks.onModel(undefined, settings.network);
    filtersCard.hidden = settings.network !== 'simple-convnet';
    filtersBefore = undefined;
    filtersCaption.textContent = 'The filters appear when the worker sends the first weights.';
    smoothed = undefined;
    lossChart.clear();
    accChart.clear();
    warnings.replaceChildren();
    exportStatus.hidden = true;
    perClass.replaceChildren();
    wrongGrid.replaceChildren();
    for (const key of ['iteration', 'epoch', 'loss', 'train-accuracy', 'val-accuracy', 'speed']) setStat(key, '–');
    status.className = 'status';
    status.textContent = 'Loading the digits…';
    client.start(settings, new URL(MNIST_ASSET_FILE, document.baseURI).href);
  });
  pauseButton.addEventListener('click', () => {
    if (client.state === 'running') {
      pauseButton.disabled = true;
      pauseButton.textContent = 'Pausing…';
      client.pause();
    } else if (client.state === 'paused') {
      client.resume();
    }
  });
  /** The page's model as a model file holds it: what Save model writes and Export to ONNX converts. */
  const modelContents = (p: Predictor): ModelContents => ({
    network: p.network,
    classes: [...p.classes],
    preprocessing: { scaler: p.scaler.toJSON(), label: 'label', featureNames: Array.from({ length: DIGIT_PIXELS }, (_, i) => `pixel${i}`) },
    training: { source: 'the dlfs demos page', ...settings, iterations },
  });
  saveButton.addEventListener('click', () => {
    if (predictor === undefined) return;
    download(new Blob([serializeModel(modelContents(predictor))], { type: 'application/json' }), 'model.json');
  });
  exportButton.addEventListener('click', async () => {
    if (predictor === undefined) return;
    const contents = modelContents(predictor);
    exportButton.disabled = true;
    exportStatus.hidden = false;
    exportStatus.className = 'hint';
    exportStatus.textContent = 'Exporting to ONNX…';
    try {
      const { onnxFile } = await import('./onnx-file.js');
      const file = onnxFile(contents);
      download(file, 'model.onnx');
      const size = `${(file.size / 1024).toFixed(0)} kB`;
      exportStatus.textContent = `Exported model.onnx (${size}): the scaler, the network and the softmax in one graph, for ONNX Runtime.`;
    } catch (err) {
      exportStatus.className = 'hint status-bad';
      exportStatus.textContent = `Export to ONNX failed: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      showState(client.state);
    }
  });

  function showState(state: RunState): void {
    trainButton.textContent = state === 'idle' ? 'Train' : 'Train again';
    pauseButton.disabled = state !== 'running' && state !== 'paused';
    pauseButton.textContent = state === 'paused' ? 'Resume' : 'Pause';
    pauseButton.setAttribute('aria-pressed', String(state === 'paused'));
    saveButton.disabled = predictor === undefined || (state !== 'paused' && state !== 'done');
    exportButton.disabled = saveButton.disabled;
    if (predictor === undefined) exportButton.title = 'Train a model first: there is nothing to export yet.';
    else if (saveButton.disabled) exportButton.title = 'Pause training (or let it finish) to export the model as it is.';
    else exportButton.title = 'Download the model as model.onnx, for ONNX Runtime';
    stats.dataset.state = state;
  }

  function receive(m: WorkerMessage): void {
    switch (m.type) {
      case 'ready':
        iterations = m.iterations;
        showKernels(m.kernels);
        status.textContent =
          `Training ${settings.network === 'simple-convnet' ? 'SimpleConvNet (conv 30×5×5, pool 2, 100, 10)' : `${DIGIT_PIXELS}-${settings.hidden}-10`} ` +
          `with ${settings.optimizer} (lr ${settings.lr}, batch ${settings.batchSize}) on ` +
          `${m.trainRows.toLocaleString('en')} digits; ` +
          `${m.valRows.toLocaleString('en')} held out. An epoch is ${m.itersPerEpoch} iterations.`;
        break;
      case 'progress': {
        const ys = new Float64Array(m.losses.length / 2).map((_, i) => m.losses[2 * i + 1]!);
        const s = ema(ys, LOSS_SMOOTHING, smoothed);
        const pairs = new Float64Array(m.losses.length);
        for (let i = 0; i < s.length; i++) {
          pairs[2 * i] = m.losses[2 * i]!;
          pairs[2 * i + 1] = s[i]!;
        }
        if (s.length > 0) smoothed = s[s.length - 1];
        lossChart.append(0, m.losses);
        lossChart.append(1, pairs);
        accChart.extendX(m.iteration);
        setStat('iteration', `${m.iteration.toLocaleString('en')} / ${m.iterations.toLocaleString('en')}`, m.iteration);
        setStat('epoch', String(m.epoch), m.epoch);
        if (smoothed !== undefined) setStat('loss', smoothed.toFixed(3), smoothed);
        if (m.iterationsPerSecond > 0) setStat('speed', `${Math.round(m.iterationsPerSecond)} it/s`, m.iterationsPerSecond);
        break;
      }
      case 'epoch':
        accChart.append(0, [m.iteration, m.trainAccuracy]);
        accChart.append(1, [m.iteration, m.valAccuracy]);
        setStat('train-accuracy', pct(m.trainAccuracy), m.trainAccuracy);
        setStat('val-accuracy', pct(m.valAccuracy), m.valAccuracy);
        showPerClass(m.perClass);
        showWrong(m.misclassified, m.wrong, m.epoch);
        break;
      case 'weights':
        predictor ??= Predictor.fromSpec(m.spec, m.scaler, 'the model trained on this page');
        predictor.setWeights(m.params, m.state);
        showFilters(predictor, m.iteration);
        hooks.onModel(predictor, settings.network);
        break;
      case 'warning':
        warnings.append(h('li', {}, h('strong', {}, 'Training doctor: '), m.message));
        break;
      case 'paused':
        status.textContent = `Paused at iteration ${m.iteration.toLocaleString('en')}. Draw a digit below to try the model as it is now, or press Resume.`;
        break;
      case 'resumed':
        status.textContent = `Resumed at iteration ${m.iteration.toLocaleString('en')}.`;
        break;
      case 'done':
        setStat('val-accuracy', pct(m.valAccuracy), m.valAccuracy);
        status.textContent =
          (m.stopped === 'non-finite-loss' ? 'Stopped: the loss blew up (see the training doctor below). ' : 'Done. ') +
          `${m.iteration.toLocaleString('en')} iterations in ${m.seconds.toFixed(1)} s: accuracy ${pct(m.trainAccuracy)} on all training digits, ` +
          `${pct(m.valAccuracy)} on the held-out ones.`;
        break;
      case 'error':
        status.className = 'status status-bad';
        status.textContent = `Training failed: ${m.message}`;
        break;
    }
    showState(client.state);
  }

  /** Figure 7-24: the first weights of a run are "before", every later snapshot "after". */
  function showFilters(p: Predictor, iteration: number): void {
    const filters = p.filters();
    if (filters === undefined) return;
    if (filtersBefore === undefined) {
      filtersBefore = filters.values;
      beforeGrid.paint(filters.values, true);
    }
    afterGrid.paint(filters.values, true);
    let change = 0;
    for (let i = 0; i < filters.values.length; i++) change += Math.abs(filters.values[i]! - filtersBefore[i]!);
    change /= filters.values.length;
    afterGrid.element.dataset.iteration = String(iteration);
    afterGrid.element.dataset.change = String(change);
    afterTitle.textContent = `After: iteration ${iteration.toLocaleString('en')}`;
    filtersCaption.textContent =
      iteration === 0
        ? 'Before training the filters are random noise (std 0.01).'
        : `Mean |W − W₀| = ${change.toExponential(2)}: the filters have learnt edges and blobs, which the feature maps below the drawing pad show at work.`;
  }

  function showPerClass(recall: number[]): void {
    perClass.replaceChildren(
      ...recall.map((r, c) =>
        h(
          'div',
          { class: 'per-class-row' },
          h('span', { class: 'per-class-digit' }, String(c)),
          h('span', { class: 'bar' }, h('span', { class: 'bar-fill', style: `width:${(r * 100).toFixed(1)}%` })),
          h('span', { class: 'per-class-value' }, pct(r)),
        ),
      ),
    );
  }

  function showWrong(list: { label: number; predicted: number; pixels: Uint8Array }[], wrong: number, epoch: number): void {
    wrongTitle.textContent = `Validation digits it gets wrong: ${wrong.toLocaleString('en')} after epoch ${epoch}`;
    wrongHint.hidden = true;
    wrongGrid.replaceChildren(
      ...list.map((d) => {
        const caption = `${d.label} read as ${d.predicted}`;
        const button = h(
          'button',
          { type: 'button', class: 'wrong', title: `A ${d.label} the network reads as ${d.predicted}; click to put it on the pad`, 'aria-label': caption },
          digitThumb(d.pixels),
          h('span', { class: 'wrong-caption' }, `${d.label}→${d.predicted}`),
        );
        button.addEventListener('click', () => hooks.onPickDigit(d.pixels, caption));
        return button;
      }),
    );
  }

  return h(
    'section',
    { id: 'training', class: 'section', 'aria-labelledby': 'training-title' },
    h('h2', { id: 'training-title' }, h('span', { class: 'section-number' }, '5.7.4 · 7.5'), ' Training the network'),
    h(
      'p',
      { class: 'lede' },
      'The two-layer network of chapter 5 (Affine → ReLU → Affine → SoftmaxWithLoss) learns the bundled MNIST digits with @dlfs/model’s train(), ',
      'in a Web Worker so the page stays responsive, its big kernel calls split over up to four threads on shared WASM memory. ',
      'The same seed gives the same weights as ',
      h('code', {}, 'dlfs train --scale 255'),
      ', whatever the number of threads. ',
      'Or pick chapter 7’s SimpleConvNet (conv 30 × 5 × 5 → ReLU → pool 2 → affine 100 → ReLU → affine 10, Adam), as ',
      h('code', {}, 'dlfs train --spec simple-convnet --optimizer adam --lr 0.001'),
      ' trains it.',
    ),
    h('div', { class: 'card' }, form, status, stats, kernelsLine),
    h(
      'div',
      { class: 'charts' },
      h(
        'figure',
        { class: 'card chart-card' },
        h('figcaption', {}, 'Loss'),
        lossCanvas,
        legend(['--loss-faint', 'mini-batch'], ['--loss', 'smoothed'], ['--muted', 'x: iteration']),
      ),
      h(
        'figure',
        { class: 'card chart-card' },
        h('figcaption', {}, 'Accuracy'),
        accCanvas,
        legend(['--train', 'train (epoch’s batches)'], ['--val', 'validation'], ['--muted', 'chance']),
      ),
    ),
    warnings,
    filtersCard,
    h('div', { class: 'card split' }, h('div', {}, h('h4', {}, 'Validation accuracy per digit'), perClass), h('div', {}, wrongTitle, wrongHint, wrongGrid)),
  );
}

/** Downloads `blob` as a file called `name`, as a link with a download attribute does. */
function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  h('a', { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
