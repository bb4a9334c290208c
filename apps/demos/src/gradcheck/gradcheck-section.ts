import { formatShape } from '@dlfs/tensor';
import { h, numberField } from '../page/dom.js';
import { DIFF_SCALE, diffColor } from './diff-color.js';
import {
  type ParamGradients,
  runSmallCheck,
  SMALL_CHECK_DEFAULTS,
  SMALL_CHECK_LIMITS,
  type SmallCheckOptions,
  type SmallCheckResult,
} from './small-network-check.js';

/** The 5.7.3 section: a small network's backprop gradient against the numerical one, per parameter and per entry. */
export function gradcheckSection(): HTMLElement {
  const fields = {
    inputs: numberField('gc-inputs', 'Inputs', SMALL_CHECK_DEFAULTS.inputs, { min: SMALL_CHECK_LIMITS.inputs[0], max: SMALL_CHECK_LIMITS.inputs[1], step: 1 }),
    hidden: numberField('gc-hidden', 'Hidden units', SMALL_CHECK_DEFAULTS.hidden, {
      min: SMALL_CHECK_LIMITS.hidden[0],
      max: SMALL_CHECK_LIMITS.hidden[1],
      step: 1,
    }),
    classes: numberField('gc-classes', 'Classes', SMALL_CHECK_DEFAULTS.classes, {
      min: SMALL_CHECK_LIMITS.classes[0],
      max: SMALL_CHECK_LIMITS.classes[1],
      step: 1,
    }),
    samples: numberField('gc-samples', 'Samples', SMALL_CHECK_DEFAULTS.samples, {
      min: SMALL_CHECK_LIMITS.samples[0],
      max: SMALL_CHECK_LIMITS.samples[1],
      step: 1,
    }),
    seed: numberField('gc-seed', 'Seed', SMALL_CHECK_DEFAULTS.seed, { min: 0, step: 1 }),
  };
  const bug = h('input', { id: 'gc-bug', type: 'checkbox' });
  const run = h('button', { type: 'submit', class: 'button' }, 'Run the gradient check');
  const verdict = h('p', { class: 'verdict', 'aria-live': 'polite', 'data-gradcheck-verdict': '' });
  const table = h('table', { class: 'data-table', 'data-gradcheck-table': '' });
  const maps = h('div', { class: 'heatmaps' });

  const form = h(
    'form',
    { class: 'controls', 'aria-label': 'Gradient check settings' },
    h('div', { class: 'fields' }, ...Object.values(fields).map((f) => f.wrap)),
    h('div', { class: 'field field-check' }, bug, h('label', { for: 'gc-bug' }, 'Plant a bug: ReLU backward without its mask')),
    h('div', { class: 'actions' }, run),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    check();
  });

  function check(): void {
    const opts: SmallCheckOptions = {
      inputs: fields.inputs.input.valueAsNumber,
      hidden: fields.hidden.input.valueAsNumber,
      classes: fields.classes.input.valueAsNumber,
      samples: fields.samples.input.valueAsNumber,
      seed: fields.seed.input.valueAsNumber,
      plantBug: bug.checked,
    };
    let result: SmallCheckResult;
    try {
      result = runSmallCheck(opts);
    } catch (err) {
      verdict.className = 'verdict verdict-bad';
      verdict.textContent = (err as Error).message;
      return;
    }
    const { report, gradients } = result;
    verdict.className = `verdict ${report.ok ? 'verdict-ok' : 'verdict-bad'}`;
    verdict.dataset.ok = String(report.ok);
    verdict.textContent = report.ok
      ? `Backprop agrees with the numerical gradient on every parameter of the ${result.sizes.join('-')} network (relative error ≤ ${report.tolerance} off ` +
        `the ReLU kinks).`
      : `Backprop disagrees with the numerical gradient: ${report.params
          .filter((p) => !p.ok)
          .map((p) => p.name)
          .join(', ')} ${report.params.filter((p) => !p.ok).length === 1 ? 'is' : 'are'} wrong.`;
    table.replaceChildren(
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Parameter'),
          h('th', { scope: 'col' }, 'Shape'),
          h('th', { scope: 'col' }, 'Mean |backprop − numerical|'),
          h('th', { scope: 'col' }, 'Max relative error'),
          h('th', { scope: 'col' }, 'Kink crossings'),
          h('th', { scope: 'col' }, 'Verdict'),
        ),
      ),
      h(
        'tbody',
        {},
        ...report.params.map((p) =>
          h(
            'tr',
            { 'data-param': p.name },
            h('th', { scope: 'row' }, p.name),
            h('td', {}, formatShape(p.shape)),
            h('td', { class: 'num', 'data-mean-abs-diff': p.meanAbsDiff }, p.meanAbsDiff.toExponential(2)),
            h('td', { class: 'num' }, p.maxRelErrorSmooth.toExponential(2)),
            h('td', { class: 'num' }, String(p.kinks)),
            h('td', { class: p.ok ? 'ok' : 'bad' }, p.ok ? 'ok' : 'wrong'),
          ),
        ),
      ),
    );
    maps.replaceChildren(...gradients.map(heatmap), legend());
  }
  check();

  return h(
    'section',
    { id: 'gradcheck', class: 'section', 'aria-labelledby': 'gradcheck-title' },
    h('h2', { id: 'gradcheck-title' }, h('span', { class: 'section-number' }, '5.7.3'), ' Gradient check'),
    h(
      'p',
      { class: 'lede' },
      'Backpropagation is fast; numerical differentiation is slow but hard to get wrong. Here a small Affine → ReLU → Affine → SoftmaxWithLoss network ',
      'computes its gradient both ways in float64, and every parameter entry is compared. Plant the bug to see what a broken backward looks like.',
    ),
    h('div', { class: 'card' }, form, verdict, h('div', { class: 'table-scroll' }, table), maps),
  );
}

/** Every entry of one parameter as a coloured cell: its |backprop − numerical|. */
function heatmap(g: ParamGradients): HTMLElement {
  const rows = g.shape.length === 2 ? g.shape[0]! : 1;
  const cols = g.shape.length === 2 ? g.shape[1]! : g.shape[0]!;
  const cell = Math.max(6, Math.min(22, Math.floor(260 / Math.max(rows, cols))));
  const canvas = h('canvas', { width: cols * cell, height: rows * cell, role: 'img' });
  let worst = 0;
  const ctx = canvas.getContext('2d');
  for (let i = 0; i < g.backprop.length; i++) {
    const diff = Math.abs(g.backprop[i]! - g.numerical[i]!);
    worst = Math.max(worst, diff);
    if (ctx === null) continue;
    ctx.fillStyle = diffColor(diff);
    ctx.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell - 1, cell - 1);
  }
  canvas.setAttribute('aria-label', `${g.name}: largest |backprop − numerical| is ${worst.toExponential(1)}`);
  return h('figure', { class: 'heatmap' }, canvas, h('figcaption', {}, h('strong', {}, g.name), ` ${formatShape(g.shape)} · max ${worst.toExponential(1)}`));
}

function legend(): HTMLElement {
  const stops = [DIFF_SCALE.low, -11, -8, -5, DIFF_SCALE.high];
  return h(
    'div',
    { class: 'heat-legend', 'aria-hidden': 'true' },
    h('span', {}, '|backprop − numerical|'),
    ...stops.map((e) => h('span', { class: 'heat-swatch', style: `background:${diffColor(10 ** e)}` }, `1e${e}`)),
  );
}
