import { blank, paintSigned, TileGrid } from '../ch7/conv-views.js';
import { NETWORK_CHOICES, NETWORK_NAMES, type NetworkChoice } from '../ch7/simple-convnet.js';
import { DIGIT_SIDE } from '../training/digit-preprocess.js';
import { DIGIT_PIXELS, Predictor } from '../training/predictor.js';
import { DigitPad } from './digit-pad.js';
import { digitThumb, paintDigit } from './digit-thumb.js';
import { h } from './dom.js';

export interface TryIt {
  readonly element: HTMLElement;
  /** The model of `network` being trained on the page; undefined while a new run of it starts. */
  setPageModel(predictor: Predictor | undefined, network?: NetworkChoice): void;
  /** Puts a digit on the pad. */
  showDigit(pixels: Uint8Array, caption: string): void;
}

/** The pad reads with the two-layer net or SimpleConvNet trained on the page, or a model file. */
type Choice = NetworkChoice | 'file';

const PAGE_LABEL = (n: NetworkChoice, trained: boolean): string => `${NETWORK_NAMES[n]} trained on this page${trained ? '' : ' (train one above)'}`;

/**
 * "Test your own image": a drawing pad, the 28 × 28 digit the network sees, and the ten class
 * probabilities from either the model trained on the page or a model file saved by `dlfs train`.
 */
export function tryItSection(): TryIt {
  const pageModels: Partial<Record<NetworkChoice, Predictor>> = {};
  let fileModel: Predictor | undefined;
  let choice: Choice = 'two-layer';
  let digit: Float32Array | undefined;

  const preview = digitThumb(new Uint8Array(DIGIT_PIXELS), 'preview');
  preview.setAttribute('role', 'img');
  preview.setAttribute('aria-label', 'The drawing as the network sees it: 28 by 28 pixels');
  const pad = new DigitPad((pixels) => {
    digit = pixels;
    paintDigit(preview, pixels);
    predict();
  });
  const clear = h('button', { type: 'button', class: 'button button-quiet', 'data-action': 'clear' }, 'Clear');
  clear.addEventListener('click', () => {
    padCaption.textContent = 'Draw a digit, as large as the box.';
    pad.clear();
  });
  const padCaption = h('p', { class: 'hint' }, 'Draw a digit, as large as the box.');

  const radio = (value: Choice, label: string): { input: HTMLInputElement; wrap: HTMLElement } => {
    const input = h('input', { type: 'radio', name: 'model-choice', id: `model-choice-${value}`, value, checked: value === choice, disabled: true });
    input.addEventListener('change', () => {
      if (input.checked) choice = value;
      predict();
    });
    const text = h('span', { 'data-model-label': value }, label);
    return { input, wrap: h('label', { class: 'choice', for: `model-choice-${value}` }, input, text) };
  };
  const pageChoices = Object.fromEntries(NETWORK_CHOICES.map((n) => [n, radio(n, PAGE_LABEL(n, false))])) as Record<NetworkChoice, ReturnType<typeof radio>>;
  const fileChoice = radio('file', 'A model file');
  const file = h('input', { type: 'file', id: 'model-file', accept: '.json,application/json' });
  const fileStatus = h(
    'p',
    { class: 'hint', 'aria-live': 'polite', 'data-model-file-status': '' },
    'A model saved by ',
    h('code', {}, 'dlfs train --out model.json'),
    ' (or by Save model above).',
  );
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (chosen === undefined) return;
    try {
      fileModel = Predictor.fromModelFile(await chosen.text(), chosen.name);
    } catch (err) {
      fileStatus.className = 'hint status-bad';
      fileStatus.textContent = (err as Error).message;
      return;
    }
    const acc = fileModel.trainingAccuracy();
    fileStatus.className = 'hint';
    fileStatus.textContent =
      `Loaded ${chosen.name}: a ${fileModel.describe()} ` +
      `network${acc === undefined ? '' : `, ${(acc * 100).toFixed(1)}% validation accuracy when it was trained`}.`;
    fileChoice.input.disabled = false;
    fileChoice.input.checked = true;
    choiceText(fileChoice.wrap).textContent = `Model file ${chosen.name}`;
    choice = 'file';
    predict();
  });

  const top = h('p', { class: 'top-class', 'aria-live': 'polite', 'data-top-class': '' });
  const bars = h('ol', { class: 'probabilities', 'aria-label': 'Probability of each digit' });

  // Why that answer: ∂ score(winner) / ∂ pixel, by the network's own backward pass down to the input.
  const saliency = h('canvas', { class: 'saliency', width: DIGIT_SIDE, height: DIGIT_SIDE, role: 'img', 'data-saliency': '' });
  blank(saliency);
  const saliencyTitle = h('figcaption', {}, 'Why that answer');
  const saliencyHint = h('p', { class: 'hint', 'data-saliency-hint': '' });
  const saliencyFigure = h(
    'figure',
    { class: 'saliency-figure' },
    saliencyTitle,
    saliency,
    h(
      'p',
      { class: 'saliency-legend' },
      h('span', {}, h('span', { class: 'swatch-pos' }), 'more ink here raises the score'),
      h('span', {}, h('span', { class: 'swatch-neg' }), 'lowers it'),
    ),
    saliencyHint,
  );

  // 7.6: the feature maps of the drawn digit, the first convolution's 30 outputs after ReLU.
  const maps = new TileGrid(30, 24, 'The 30 feature maps of the drawn digit', { 'data-feature-maps': '' });
  const mapsHint = h('p', { class: 'hint', 'data-feature-maps-hint': '' });
  const mapsCard = h(
    'div',
    { class: 'card feature-maps' },
    h('h4', {}, 'What the filters see: the feature maps of your digit'),
    h(
      'figure',
      {},
      h('figcaption', {}, 'The first convolution’s 30 outputs, 24 × 24 each, after its ReLU; darker is stronger, on one scale for all 30.'),
      maps.element,
    ),
    mapsHint,
  );

  function showMaps(model: Predictor | undefined, values?: { values: Float32Array }): void {
    maps.element.hidden = values === undefined;
    if (values === undefined) {
      delete maps.element.dataset.model;
      delete maps.element.dataset.max;
      mapsHint.textContent =
        model === undefined || model.convolutional
          ? 'Draw a digit with SimpleConvNet as the model to see what each of its 30 filters finds in it.'
          : 'The chosen model has no convolution (all its layers are affine): choose SimpleConvNet to see feature maps.';
      return;
    }
    maps.paint(values.values, false);
    maps.element.dataset.model = choice;
    maps.element.dataset.max = String(Math.max(...values.values));
    mapsHint.textContent = 'Each map lights up where its filter matches a piece of the stroke: an edge of one slant, an end, a blob.';
  }

  function showSaliency(model: Predictor | undefined, gradient?: Float64Array, label?: string): void {
    if (model === undefined || gradient === undefined) {
      blank(saliency);
      delete saliency.dataset.model;
      delete saliency.dataset.maxAbs;
      saliencyTitle.textContent = 'Why that answer';
      saliencyHint.textContent = 'The saliency map appears beside the probabilities once a model reads a digit.';
      saliency.setAttribute('aria-label', 'Saliency map: none yet');
      return;
    }
    const m = paintSigned(saliency, gradient);
    saliency.dataset.model = choice;
    saliency.dataset.class = label;
    saliency.dataset.maxAbs = String(m);
    saliencyTitle.textContent = `Why ${label}: ∂ score(${label}) / ∂ pixel`;
    saliency.setAttribute('aria-label', `Saliency map of the score of ${label} over the 28 by 28 pixels`);
    saliencyHint.textContent =
      `The gradient of the ${label}’s score (before softmax) with respect to each input pixel, by backward() down to the input; ` +
      `strongest |∂| = ${m.toExponential(2)}.`;
  }

  function predict(): void {
    const model = choice === 'file' ? fileModel : pageModels[choice];
    top.dataset.model = choice;
    if (model === undefined) {
      bars.replaceChildren();
      top.textContent = choice !== 'file' ? 'Train a model above, or load a model file, to see what it reads.' : 'Load a model file.';
      delete top.dataset.value;
      showSaliency(undefined);
      showMaps(undefined);
      return;
    }
    if (digit === undefined) {
      bars.replaceChildren();
      top.textContent = 'Draw a digit on the pad.';
      delete top.dataset.value;
      showSaliency(undefined);
      showMaps(model);
      return;
    }
    const { probabilities: p, best, saliency: gradient, featureMaps } = model.explain(digit);
    top.dataset.value = String(model.classes[best]);
    showSaliency(model, gradient, String(model.classes[best]));
    showMaps(model, featureMaps);
    top.replaceChildren('It reads ', h('strong', { class: 'top-digit' }, String(model.classes[best])), ` (${(p[best]! * 100).toFixed(1)}%)`);
    bars.replaceChildren(
      ...Array.from(p, (v, k) =>
        h(
          'li',
          { class: `probability${k === best ? ' probability-top' : ''}`, 'data-class': String(model.classes[k]) },
          h('span', { class: 'probability-class' }, String(model.classes[k])),
          h('span', { class: 'bar' }, h('span', { class: 'bar-fill', style: `width:${(v * 100).toFixed(2)}%` })),
          h('span', { class: 'probability-value', 'data-probability': String(v) }, `${(v * 100).toFixed(1)}%`),
        ),
      ),
    );
  }
  predict();

  const element = h(
    'section',
    { id: 'try', class: 'section', 'aria-labelledby': 'try-title' },
    h('h2', { id: 'try-title' }, 'Try it: draw a digit'),
    h(
      'p',
      { class: 'lede' },
      'Your drawing is cropped, scaled into a 20 × 20 box and centred by its centre of mass in 28 × 28 pixels, as MNIST’s digits were; then the network ' +
        'gives each class a probability (softmax). Beside them, the saliency map says why: which pixels raise the winning score and which lower it. ' +
        'With SimpleConvNet, the feature maps below show what its 30 filters find in the digit.',
    ),
    h(
      'div',
      { class: 'card try-grid' },
      h('div', { class: 'pad-column' }, pad.canvas, h('div', { class: 'pad-actions' }, clear, padCaption)),
      h(
        'div',
        { class: 'see-column' },
        h('figure', { class: 'preview-figure' }, preview, h('figcaption', {}, 'What the network sees')),
        h(
          'fieldset',
          { class: 'model-choice' },
          h('legend', {}, 'Model'),
          ...NETWORK_CHOICES.map((n) => pageChoices[n].wrap),
          fileChoice.wrap,
          h('div', { class: 'field' }, h('label', { for: 'model-file' }, 'Load a model file'), file),
          fileStatus,
        ),
      ),
      h('div', { class: 'prob-column' }, top, bars, saliencyFigure),
    ),
    mapsCard,
  );

  return {
    element,
    setPageModel(predictor, network = 'two-layer') {
      pageModels[network] = predictor;
      const { input, wrap } = pageChoices[network];
      input.disabled = predictor === undefined;
      choiceText(wrap).textContent = PAGE_LABEL(network, predictor !== undefined);
      // A new run takes the pad, unless a model file was chosen.
      if (predictor === undefined && choice !== 'file') {
        choice = network;
        input.checked = true;
      }
      if (choice === network) predict();
    },
    showDigit(pixels, caption) {
      padCaption.textContent = `A validation digit: ${caption}.`;
      pad.showDigit(pixels);
      element.scrollIntoView({ behavior: 'smooth', block: 'start' });
    },
  };
}

function choiceText(wrap: HTMLElement): HTMLElement {
  return wrap.querySelector('span') ?? wrap;
}
