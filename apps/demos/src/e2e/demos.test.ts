import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { builtinLayers } from '@dlfs/layers';
import { parseModel } from '@dlfs/model';
import { ONNX_INPUT, ONNX_LABEL, ONNX_PROBABILITIES } from '@dlfs/onnx';
import onnxProto from 'onnx-proto';
import type * as Ort from 'onnxruntime-web';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, screenshots, useDemoSite } from './demo-site.js';
import { mainThreadDelay, watched } from './page-checks.js';
import { DIGIT_SIDE, toMnistDigit } from '../training/digit-preprocess.js';
import { serveStatic } from './static-server.js';

// The built site in Debian's chromium, as a person uses it: the shopping graphs, the gradient
// check, training in the worker on kernel threads, drawing a digit, a model file written by
// `dlfs train`, and the site served without cross-origin isolation, where training keeps to one thread.

const cli = join(root, '..', 'cli', 'dist', 'bin.js');
/** onnxruntime-web's dist folder (ort.wasm.min.js, its .mjs and .wasm), served at /ort/ beside the site: same origin, as COEP requires. */
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web/wasm'));

const site = useDemoSite({ mounts: { '/ort/': ortDist } });
let page: Page;
let work: string;
let cliModel: Promise<string>;
const { problems } = site;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build the CLI first ("pnpm build" at the repository root)`);
  work = mkdtempSync(join(tmpdir(), 'dlfs-demos-e2e-'));
  const out = join(work, 'model.json');
  // Runs while the first tests do; the model-file test waits for it.
  cliModel = promisify(execFile)('node', [cli, 'train', '--iters', '200', '--out', out, '--json']).then(() => out);
  cliModel.catch(() => undefined);
  page = site.page;
}, 120_000);

afterAll(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The kernels line of the training card once the worker has said where its kernels run: its text and thread count. */
async function kernels(p: Page): Promise<{ text: string; threads: number }> {
  const line = p.locator('[data-kernels]');
  await line.waitFor({ state: 'visible' });
  return { text: (await line.textContent()) ?? '', threads: Number(await line.getAttribute('data-threads')) };
}

const text = async (selector: string): Promise<string> => (await page.locator(selector).first().textContent()) ?? '';

async function probabilities(): Promise<number[]> {
  await page.locator('[data-probability]').nth(9).waitFor();
  const values = await page.locator('[data-probability]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-probability'))));
  return values;
}

async function drawOne(): Promise<void> {
  const pad = page.locator('canvas.pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const x = box.x + box.width * 0.52;
  await page.mouse.move(x - box.width * 0.04, box.y + box.height * 0.18);
  await page.mouse.down();
  await page.mouse.move(x, box.y + box.height * 0.5, { steps: 8 });
  await page.mouse.move(x + box.width * 0.01, box.y + box.height * 0.82, { steps: 8 });
  await page.mouse.up();
}

describe('the demos page in chromium', () => {
  it('shows the book’s numbers on both shopping graphs', async () => {
    const apple = '[data-graph-readout="apple"]';
    const both = '[data-graph-readout="apple-orange"]';
    expect(await text(`${apple} [data-value=price]`)).toBe('220');
    expect(await Promise.all(['apple', 'apple_num', 'tax'].map((k) => text(`${apple} [data-grad=${k}]`)))).toEqual(['2.2', '110', '200']);
    expect(await text(`${both} [data-value=price]`)).toBe('715');
    expect(await Promise.all(['apple_num', 'apple', 'orange', 'orange_num', 'tax'].map((k) => text(`${both} [data-grad=${k}]`)))).toEqual([
      '110',
      '2.2',
      '3.3',
      '165',
      '650',
    ]);
    // The drawing carries the same numbers: the price on the output edge, dtax below the tax edge.
    expect(await text('[data-graph="apple"] [data-edge="mul_tax->output"][data-kind=forward]')).toBe('220');
    expect(await text('[data-graph="apple-orange"] [data-edge="tax->mul_tax"][data-kind=backward]')).toBe('650');
  });

  it('recomputes forward and backward when an input changes, and steps node by node', async () => {
    await page.fill('#apple-apple', '150');
    expect(await text('[data-graph-readout="apple"] [data-value=price]')).toBe('330');
    expect(await text('[data-graph-readout="apple"] [data-grad=apple_num]')).toBe('165');
    expect(await text('[data-graph-readout="apple"] [data-grad=tax]')).toBe('300');
    await page.fill('#apple-orange-tax', '1.2');
    expect(await text('[data-graph-readout="apple-orange"] [data-value=price]')).toBe('780');
    expect(await text('[data-graph-readout="apple-orange"] [data-grad=orange]')).toBe('3.6');

    const card = page.locator('[data-graph="apple"]');
    const step = card.getByRole('button', { name: 'Step' });
    await step.click();
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), the text as rendered, not a DOM property
    expect(await card.locator('.walk-status').innerText()).toContain('Step 0 of 4');
    expect(await card.locator('[data-edge="mul_tax->output"][data-kind=forward]').textContent()).toBe('?');
    await step.click();
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), the text as rendered, not a DOM property
    expect(await card.locator('.walk-status').innerText()).toContain('Forward: apple_price = apple × apple_num = 150 × 2 = 300');
    await step.click();
    await step.click();
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), the text as rendered, not a DOM property
    expect(await card.locator('.walk-status').innerText()).toContain('Backward: dapple_price = dprice × tax = 1 × 1.1 = 1.1');
    expect(await card.locator('[data-edge="tax->mul_tax"][data-kind=backward]').textContent()).toBe('300');
    expect(await card.locator('[data-edge="apple->mul_apple"][data-kind=backward]').textContent()).toBe('?');
    await card.screenshot({ path: join(screenshots, 'graph-walk.png') });
    await card.getByRole('button', { name: 'Show all' }).click();
    await page.fill('#apple-apple', '100');
    await page.fill('#apple-orange-tax', '1.1');
    expect(await text('[data-graph-readout="apple"] [data-value=price]')).toBe('220');
  });

  it('runs the gradient check in the page and catches a planted bug', async () => {
    const verdict = page.locator('[data-gradcheck-verdict]');
    expect(await verdict.getAttribute('data-ok')).toBe('true');
    const diffs = await page
      .locator('[data-gradcheck-table] [data-mean-abs-diff]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-mean-abs-diff'))));
    expect(diffs).toHaveLength(4);
    for (const d of diffs) expect(d).toBeLessThan(1e-8);
    await page.check('#gc-bug');
    await page.getByRole('button', { name: 'Run the gradient check' }).click();
    expect(await verdict.getAttribute('data-ok')).toBe('false');
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), the text as rendered, not a DOM property
    expect(await page.locator('[data-gradcheck-table] tr[data-param=W1] td').last().innerText()).toBe('wrong');
    await page.locator('#gradcheck .card').screenshot({ path: join(screenshots, 'gradcheck-bug.png') });
    await page.uncheck('#gc-bug');
    await page.getByRole('button', { name: 'Run the gradient check' }).click();
    expect(await verdict.getAttribute('data-ok')).toBe('true');
  });

  it('trains in a worker while the page stays responsive: validation accuracy climbs far above chance, and Pause holds it', async () => {
    const exportButton = page.locator('[data-action=export-onnx]');
    expect(await exportButton.isDisabled()).toBe(true);
    expect(await exportButton.getAttribute('title')).toBe('Train a model first: there is nothing to export yet.');
    await page.fill('#tr-iterations', '20000');
    await page.fill('#tr-seed', '1');
    await page.click('[data-action=train]');

    // The page is cross-origin isolated, so the worker splits its kernels over threads on shared
    // WASM memory: one per core, at most 4, each a Worker from a Blob that loads under COEP.
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const { text: kernelsText, threads } = await kernels(page);
    if (cores >= 2) {
      expect(threads).toBe(Math.min(cores, 4));
      expect(kernelsText).toBe(`Kernels: WASM SIMD, ${threads} threads.`);
      expect(page.workers().filter((w) => w.url().startsWith('blob:'))).toHaveLength(threads - 1);
    } else {
      expect(threads).toBe(1);
      expect(kernelsText).toBe('Kernels: WASM SIMD, 1 thread: the browser reports 1 core.');
    }
    const val = page.locator('[data-stat=val-accuracy]');
    await page.waitForFunction(() => Number(document.querySelector('[data-stat=val-accuracy]')?.getAttribute('data-value') ?? 0) > 0.5, undefined, {
      timeout: 40_000,
    });
    expect(Number(await val.getAttribute('data-value'))).toBeGreaterThan(0.5);

    // The main thread answers at once while the worker trains, and the graph still recomputes.
    const delay = await mainThreadDelay(page);
    expect(delay).toBeLessThan(250);
    await page.fill('#apple-apple_num', '3');
    expect(await text('[data-graph-readout="apple"] [data-value=price]')).toBe('330');
    await page.fill('#apple-apple_num', '2');

    await page.click('[data-action=pause]');
    await page.waitForSelector('.stats[data-state=paused]');
    const iteration = async (): Promise<number> => Number(await page.locator('[data-stat=iteration]').getAttribute('data-value'));
    const at = await iteration();
    await page.waitForTimeout(600);
    expect(await iteration()).toBe(at);
    expect(await text('[data-training-status]')).toContain(`Paused at iteration ${at.toLocaleString('en')}`);
    await page.click('[data-action=pause]');
    await page.waitForFunction((before) => Number(document.querySelector('[data-stat=iteration]')?.getAttribute('data-value')) > before, at);
    await page.click('[data-action=pause]');
    await page.waitForSelector('.stats[data-state=paused]');

    // Save model writes a dlfs model file that @dlfs/model reads back, as `dlfs predict` would.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action=save]')]);
    const saved = join(work, 'page-model.json');
    await download.saveAs(saved);
    const model = parseModel(readFileSync(saved, 'utf8'), { registry: builtinLayers(), source: saved });
    expect(model.network.layers.map((l) => l.outputShape[0])).toEqual([50, 50, 10]);
    expect(model.training).toMatchObject({ source: 'the dlfs demos page', seed: 1 });

    // The misclassified validation digits are shown, and the loss fell from ln 10 ≈ 2.3.
    expect(await page.locator('.wrong-grid .wrong').count()).toBeGreaterThan(0);
    expect(Number(await page.locator('[data-stat=loss]').getAttribute('data-value'))).toBeLessThan(1.5);
  });

  it('classifies a digit drawn on the pad: ten probabilities that sum to 1', async () => {
    await drawOne();
    const p = await probabilities();
    expect(p).toHaveLength(10);
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
    expect(await page.locator('[data-top-class]').getAttribute('data-value')).toBe('1');
    // A misclassified validation digit goes onto the pad and is classified as it is.
    await page.locator('.wrong-grid .wrong').first().click();
    expect(await text('.pad-actions .hint')).toMatch(/^A validation digit: \d read as \d\.$/);
    expect(Math.abs((await probabilities()).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
  });

  it('exports the page’s model to ONNX, and ONNX Runtime Web in the page reads the drawn digit as the page does', async () => {
    await page.locator('[data-action=clear]').click();
    await drawOne();
    const shown = await probabilities();
    const shownLabel = await page.locator('[data-top-class]').getAttribute('data-value');

    // The pad's ink, MNIST-style, as the page's prediction starts from it: 784 raw values 0..255, before the scaler.
    const ink = await page.locator('canvas.pad').evaluate((c: HTMLCanvasElement) => {
      const rgba = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      return { width: c.width, height: c.height, alpha: Array.from({ length: c.width * c.height }, (_, i) => rgba[4 * i + 3]!) };
    });
    const pixels = toMnistDigit(ink.alpha, ink.width, ink.height)!;
    expect(pixels).toHaveLength(DIGIT_SIDE * DIGIT_SIDE);
    // The same digit as the page's preview of what the network sees (its pixels rounded to bytes).
    const preview = await page.locator('canvas.preview').evaluate((c: HTMLCanvasElement) => {
      const rgba = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      return Array.from({ length: c.width * c.height }, (_, i) => rgba[4 * i + 3]!);
    });
    expect(preview).toEqual(Array.from(pixels, (v) => Math.round(v)));

    const exportButton = page.locator('[data-action=export-onnx]');
    expect(await exportButton.isEnabled()).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), exportButton.click()]);
    expect(download.suggestedFilename()).toBe('model.onnx');
    const saved = join(work, 'page-model.onnx');
    await download.saveAs(saved);
    const bytes = readFileSync(saved);
    // The class labels travel in the model's metadata: the page's model reads digits 0..9, so label index k is class k.
    const metadata = Object.fromEntries(onnxProto.onnx.ModelProto.decode(bytes).metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(metadata.classes ?? 'null')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await page.waitForFunction(() => document.querySelector('[data-export-status]')?.textContent?.startsWith('Exported model.onnx'));
    const size = `${(bytes.length / 1024).toFixed(0)} kB`;
    expect(await text('[data-export-status]')).toBe(`Exported model.onnx (${size}): the scaler, the network and the softmax in one graph, for ONNX Runtime.`);

    await page.addScriptTag({ url: new URL('ort/ort.wasm.min.js', site.server.url).href });
    const onnx = await page.evaluate(
      async ({ model, input, names }) => {
        const ort = (globalThis as unknown as { ort: typeof Ort }).ort;
        ort.env.wasm.wasmPaths = new URL('ort/', location.href).href;
        ort.env.wasm.numThreads = 1;
        const session = await ort.InferenceSession.create(new Uint8Array(model));
        const out = await session.run({ [names.input]: new ort.Tensor('float32', Float32Array.from(input), [1, input.length]) });
        const probabilities = out[names.probabilities]!;
        const label = out[names.label]!;
        const result = {
          inputs: [...session.inputNames],
          outputs: [...session.outputNames],
          probabilities: Array.from(probabilities.data as Float32Array),
          probabilitiesDims: [...probabilities.dims],
          label: Array.from(label.data as BigInt64Array, (v) => Number(v)),
          labelType: label.type,
        };
        await session.release();
        return result;
      },
      { model: Array.from(bytes), input: Array.from(pixels), names: { input: ONNX_INPUT, probabilities: ONNX_PROBABILITIES, label: ONNX_LABEL } },
    );
    expect(onnx.inputs).toEqual([ONNX_INPUT]);
    expect([...onnx.outputs].sort()).toEqual([ONNX_LABEL, ONNX_PROBABILITIES].sort());
    expect(onnx.probabilitiesDims).toEqual([1, 10]);
    expect(onnx.labelType).toBe('int64');
    const diff = Math.max(...onnx.probabilities.map((v, k) => Math.abs(v - shown[k]!)));
    console.log(`ONNX Runtime Web vs the page: largest probability difference ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-4);
    expect(onnx.label).toEqual([Number(shownLabel)]);
  });

  it('shows an export that fails in the page, not as an uncaught error', async () => {
    const other = watched(await site.browser.context.newPage(), problems);
    try {
      await other.goto(site.server.url);
      await other.fill('#tr-iterations', '300');
      await other.click('[data-action=train]');
      await other.waitForSelector('.stats[data-state=done]', { timeout: 40_000 });
      // The ONNX writer is a chunk of its own, fetched on the first export: this page gets one whose toOnnx throws.
      await other.route('**/assets/onnx-file-*.js', (route) =>
        route.fulfill({ contentType: 'text/javascript', body: 'export function onnxFile() { throw new Error("no ONNX today"); }' }),
      );
      let downloads = 0;
      other.on('download', () => downloads++);
      await other.click('[data-action=export-onnx]');
      const status = other.locator('[data-export-status]');
      await other.waitForFunction(() => document.querySelector('[data-export-status]')?.classList.contains('status-bad'));
      expect(await status.textContent()).toBe('Export to ONNX failed: no ONNX today');
      expect(downloads).toBe(0);
      expect(await other.locator('[data-action=export-onnx]').isEnabled()).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('loads a model file written by `dlfs train` and classifies with it', async () => {
    const file = await cliModel;
    await page.locator('[data-action=clear]').click();
    await page.setInputFiles('#model-file', file);
    await page.waitForFunction(() => document.querySelector('[data-model-file-status]')?.textContent?.startsWith('Loaded model.json'));
    expect(await text('[data-model-file-status]')).toMatch(/^Loaded model\.json: a 784-50-10 network, \d+\.\d% validation accuracy when it was trained\.$/);
    expect(await page.isChecked('input[name=model-choice][value=file]')).toBe(true);
    await drawOne();
    const p = await probabilities();
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
    expect(await page.locator('[data-top-class]').getAttribute('data-value')).toBe('1');
  });

  it('lays out on a laptop and on a phone (screenshots in .screenshots/)', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(screenshots, 'laptop-top.png') });
    await page.screenshot({ path: join(screenshots, 'laptop.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    // Nothing but the graphs' own scroll boxes is wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(screenshots, 'phone-top.png') });
    await page.screenshot({ path: join(screenshots, 'phone.png'), fullPage: true });
    await page.locator('#try').evaluate((el) => el.scrollIntoView({ block: 'start', behavior: 'instant' }));
    await page.screenshot({ path: join(screenshots, 'phone-try.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('trains on one thread, and says why, where the site is served without cross-origin isolation', async () => {
    const plain = await serveStatic(join(root, 'dist', 'site'), { isolated: false });
    const other = watched(await site.browser.context.newPage(), problems);
    try {
      await other.goto(plain.url);
      expect(await other.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
      await other.fill('#tr-iterations', '1000');
      await other.fill('#tr-seed', '1');
      await other.click('[data-action=train]');
      const { text: kernelsText, threads } = await kernels(other);
      expect(threads).toBe(1);
      expect(kernelsText).toMatch(/^Kernels: WASM SIMD, 1 thread: .*SharedArrayBuffer.*cross-origin-isolated.*\.$/);
      await other.waitForSelector('.stats[data-state=done]', { timeout: 40_000 });
      expect(Number(await other.locator('[data-stat=val-accuracy]').getAttribute('data-value'))).toBeGreaterThan(0.5);
      expect(await other.locator('[data-training-status]').textContent()).toMatch(/^Done\. 1,000 iterations in /);
      expect(other.workers().filter((w) => w.url().startsWith('blob:'))).toEqual([]);
    } finally {
      await other.close();
      await plain.close();
    }
  });
});
