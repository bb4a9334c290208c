import { createScaler } from '@dlfs/data';
import { loadMnistSample } from '@dlfs/datasets/node';
import { checkGradients } from '@dlfs/gradcheck';
import { builtinLayers } from '@dlfs/layers';
import { defaultSpec, Network, rowsOf } from '@dlfs/model';
import { Rng } from '@dlfs/tensor';
import { reportLines } from '../gradcheck/report-lines.js';
import { runSmallCheck, SMALL_CHECK_DEFAULTS } from '../gradcheck/small-network-check.js';

// 5.7.3 from the command line: first the page's small network, then the book's check of the
// 784-50-10 network (weight std 0.01) on 3 digits of the bundled MNIST sample, both in float64.

const small = runSmallCheck(SMALL_CHECK_DEFAULTS);
const o = SMALL_CHECK_DEFAULTS;
console.log(`Gradient check of the page's small network ${o.inputs}-${o.hidden}-${o.classes} on ${o.samples} random samples (seed ${o.seed}):`);
for (const line of reportLines(small.report)) console.log(`  ${line}`);

const started = performance.now();
const sample = loadMnistSample();
const x = rowsOf(sample.x, 0, 3).astype('float64');
// The package's 0..1 pixels times 255 give back the bytes; x / 255 is the book's normalize=True.
for (let i = 0; i < x.size; i++) x.data[i] = Math.round(x.data[i]! * 255);
createScaler('255').transform(x, x);
const t = sample.labels.subarray(0, 3);
const network = Network.build(defaultSpec(10), { registry: builtinLayers(), inputShape: [784], rng: new Rng(0), dtype: 'float64', classes: 10 });
const book = checkGradients(network.gradientCheckTarget(x, t));
console.log('');
console.log(`The book's check (5.7.3): the 784-50-10 network on 3 MNIST digits (${((performance.now() - started) / 1000).toFixed(1)} s):`);
for (const line of reportLines(book)) console.log(`  ${line}`);
const ok = small.report.ok && book.ok;
console.log('');
console.log(
  ok
    ? 'ok: backprop agrees with the numerical gradient (the book prints mean differences of 1e-10 to 1e-13)'
    : 'FAILED: backprop and the numerical gradient disagree',
);
process.exitCode = ok ? 0 : 1;
