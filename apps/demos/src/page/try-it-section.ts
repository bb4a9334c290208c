import { DIGIT_PIXELS, Predictor } from '../training/predictor.js';
import { DigitPad } from './digit-pad.js';
import { digitThumb, paintDigit } from './digit-thumb.js';
import { h } from './dom.js';

export interface TryIt {
  readonly element: HTMLElement;
  /** The model being trained on the page; undefined while a new run starts. */
  setPageModel(predictor: Predictor | undefined): void;
  /** Puts a digit on the pad. */
  showDigit(pixels: Uint8Array, caption: string): void;
}

type Choice = 'page' | 'file';

/**
 * "Test your own image": a drawing pad, the 28 × 28 digit the network sees, and the ten class
 * probabilities from either the model trained on the page or a model file saved by `dlfs train`.
 */
export function tryItSection(): TryIt {
  let pageModel: Predictor | undefined;
  let fileModel: Predictor | undefined;
  let choice: Choice = 'page';
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
  const pageChoice = radio('page', 'The model trained on this page (train one above)');
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

  function predict(): void {
    const model = choice === 'page' ? pageModel : fileModel;
    if (model === undefined) {
      bars.replaceChildren();
      top.textContent = choice === 'page' ? 'Train a model above, or load a model file, to see what it reads.' : 'Load a model file.';
      delete top.dataset.value;
      return;
    }
    if (digit === undefined) {
      bars.replaceChildren();
      top.textContent = 'Draw a digit on the pad.';
      delete top.dataset.value;
      return;
    }
    const p = model.probabilities(digit);
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
    top.dataset.value = String(model.classes[best]);
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
        'gives each class a probability (softmax).',
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
          pageChoice.wrap,
          fileChoice.wrap,
          h('div', { class: 'field' }, h('label', { for: 'model-file' }, 'Load a model file'), file),
          fileStatus,
        ),
      ),
      h('div', { class: 'prob-column' }, top, bars),
    ),
  );

  return {
    element,
    setPageModel(predictor) {
      pageModel = predictor;
      pageChoice.input.disabled = predictor === undefined;
      choiceText(pageChoice.wrap).textContent = predictor === undefined ? 'The model trained on this page (train one above)' : 'The model trained on this page';
      if (choice === 'page') predict();
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
