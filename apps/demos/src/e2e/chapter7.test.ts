import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, screenshots, useDemoSite } from './demo-site.js';
import { mainThreadDelay } from './page-checks.js';

// Chapter 7 in chromium: SimpleConvNet trained in the worker, its filters before and after
// (figure 7-24), the feature maps of a drawn digit, the saliency map of both nets, the pad's
// switch between the nets, and a model file of `dlfs train --spec simple-convnet`.

const cli = join(root, '..', 'cli', 'dist', 'bin.js');

const site = useDemoSite();
let page: Page;
let work: string;
let cliModel: Promise<string>;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build the CLI first ("pnpm build" at the repository root)`);
  work = mkdtempSync(join(tmpdir(), 'dlfs-demos-ch7-'));
  const out = join(work, 'conv.json');
  // `--data` left out: the bundled sample. It runs while the first tests do; the model-file test waits for it.
  const args = ['train', '--spec', 'simple-convnet', '--optimizer', 'adam', '--lr', '0.001', '--iters', '30', '--out', out];
  cliModel = promisify(execFile)('node', [cli, ...args]).then(() => out);
  cliModel.catch(() => undefined);
  page = site.page;
}, 120_000);

afterAll(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const attr = async (selector: string, name: string): Promise<string | null> => page.locator(selector).first().getAttribute(name);
const stat = async (key: string): Promise<number> => Number(await attr(`[data-stat=${key}]`, 'data-value'));

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

/** Every pixel's RGBA of the canvases matching `selector`, one array per canvas. */
async function pixels(selector: string): Promise<number[][]> {
  return page
    .locator(selector)
    .evaluateAll((els) =>
      els.map((c) =>
        Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data),
      ),
    );
}

/** Pixels of the saliency map that are not white. */
async function saliencyInk(): Promise<number> {
  const [rgba] = await pixels('canvas[data-saliency]');
  let ink = 0;
  for (let i = 0; i < rgba!.length; i += 4) if (rgba![i] !== 255 || rgba![i + 1] !== 255 || rgba![i + 2] !== 255) ink++;
  return ink;
}

async function probabilities(): Promise<number[]> {
  await page.locator('[data-probability]').nth(9).waitFor();
  return page.locator('[data-probability]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-probability'))));
}

async function train(network: string, iterations: number): Promise<void> {
  await page.locator('#training').scrollIntoViewIfNeeded();
  await page.selectOption('#tr-network', network);
  await page.fill('#tr-iterations', String(iterations));
  await page.fill('#tr-seed', '1');
  await page.click('[data-action=train]');
}

describe('chapter 7 in chromium', () => {
  it('trains the two-layer net first, for the pad to compare with', async () => {
    await train('two-layer', 300);
    await page.waitForSelector('.stats[data-state=done]', { timeout: 60_000 });
    expect(await stat('val-accuracy')).toBeGreaterThan(0.5);
    expect(await page.locator('[data-filters-card]').isHidden()).toBe(true);
  });

  it('trains SimpleConvNet in the worker past 80% validation accuracy, responsive and pausable, its filters changing', async () => {
    await page.selectOption('#tr-network', 'simple-convnet');
    // `dlfs train --spec simple-convnet --optimizer adam --lr 0.001`
    expect(await page.inputValue('#tr-optimizer')).toBe('adam');
    expect(await page.inputValue('#tr-lr')).toBe('0.001');
    expect(await page.isDisabled('#tr-hidden')).toBe(true);
    const started = Date.now();
    // 5 epochs of 90 iterations; about 88% after the first in `dlfs train`.
    await train('simple-convnet', 450);
    await page.waitForFunction(() => document.querySelector('[data-training-status]')?.textContent?.startsWith('Training SimpleConvNet'), undefined, {
      timeout: 60_000,
    });
    await page.waitForFunction(() => Number(document.querySelector('[data-stat=iteration]')?.getAttribute('data-value') ?? 0) >= 10, undefined, {
      timeout: 60_000,
    });
    expect(await page.locator('[data-training-status]').textContent()).toMatch(
      /^Training SimpleConvNet \(conv 30×5×5, pool 2, 100, 10\) with adam \(lr 0\.001/,
    );

    // The page answers at once while the worker trains the conv net.
    const delays = [await mainThreadDelay(page), await mainThreadDelay(page), await mainThreadDelay(page)];
    expect(Math.max(...delays)).toBeLessThan(250);
    await page.fill('#apple-apple_num', '3');
    expect(await page.locator('[data-graph-readout="apple"] [data-value=price]').textContent()).toBe('330');
    await page.fill('#apple-apple_num', '2');

    // Pause holds it, Resume goes on.
    await page.click('[data-action=pause]');
    await page.waitForSelector('.stats[data-state=paused]');
    const at = await stat('iteration');
    await page.waitForTimeout(600);
    expect(await stat('iteration')).toBe(at);
    await page.click('[data-action=pause]');
    await page.waitForFunction((before) => Number(document.querySelector('[data-stat=iteration]')?.getAttribute('data-value')) > before, at);

    await page.waitForFunction(() => Number(document.querySelector('[data-stat=val-accuracy]')?.getAttribute('data-value') ?? 0) > 0.8, undefined, {
      timeout: 120_000,
    });
    const reached = (Date.now() - started) / 1000;
    const accuracy = await stat('val-accuracy');
    console.log(
      `SimpleConvNet: ${(accuracy * 100).toFixed(1)}% validation accuracy at iteration ${await stat('iteration')}, ${reached.toFixed(1)} s after Train`,
    );
    expect(accuracy).toBeGreaterThan(0.8);
    await page.waitForSelector('.stats[data-state=done]', { timeout: 120_000 });
    console.log(`SimpleConvNet done: ${await page.locator('[data-training-status]').textContent()}`);
    expect(await stat('val-accuracy')).toBeGreaterThan(0.9);

    // Figure 7-24: 30 filters of 5 × 5 before and after; after differs from before.
    expect(await page.locator('[data-filters-card]').isVisible()).toBe(true);
    const before = await pixels('[data-filters=before] canvas');
    const after = await pixels('[data-filters=after] canvas');
    expect(before).toHaveLength(30);
    expect(after).toHaveLength(30);
    expect(before[0]).toHaveLength(5 * 5 * 4);
    expect(after).not.toEqual(before);
    expect(Number(await attr('[data-filters=after]', 'data-change'))).toBeGreaterThan(0);
    expect(await attr('[data-filters=after]', 'data-iteration')).toBe('450');
  });

  it('shows the feature maps and the saliency map of a drawn digit, and switches the pad between the nets', async () => {
    await drawOne();
    // The conv run took the pad.
    expect(await page.isChecked('#model-choice-simple-convnet')).toBe(true);
    expect(await attr('[data-top-class]', 'data-model')).toBe('simple-convnet');
    const conv = await probabilities();
    expect(Math.abs(conv.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);

    // 30 feature maps of 24 × 24, after ReLU, something lit.
    const maps = page.locator('[data-feature-maps]');
    expect(await maps.isVisible()).toBe(true);
    expect(await maps.getAttribute('data-model')).toBe('simple-convnet');
    expect(Number(await maps.getAttribute('data-max'))).toBeGreaterThan(0);
    const mapPixels = await pixels('[data-feature-maps] canvas');
    expect(mapPixels).toHaveLength(30);
    expect(mapPixels[0]).toHaveLength(24 * 24 * 4);
    expect(mapPixels.some((rgba) => rgba.some((v, i) => i % 4 === 3 && v > 0))).toBe(true);

    // The saliency map of the conv net: drawn, not all zero.
    expect(await attr('canvas[data-saliency]', 'data-model')).toBe('simple-convnet');
    expect(Number(await attr('canvas[data-saliency]', 'data-max-abs'))).toBeGreaterThan(0);
    expect(await saliencyInk()).toBeGreaterThan(20);
    const convSaliency = await pixels('canvas[data-saliency]');

    await page.locator('#try').screenshot({ path: join(screenshots, 'chapter7-try-laptop.png') });
    await page.locator('[data-filters-card]').screenshot({ path: join(screenshots, 'chapter7-filters-laptop.png') });

    // Switch the pad to the two-layer net: another model reads the same digit.
    await page.check('#model-choice-two-layer');
    expect(await attr('[data-top-class]', 'data-model')).toBe('two-layer');
    const dense = await probabilities();
    expect(dense).not.toEqual(conv);
    expect(await attr('canvas[data-saliency]', 'data-model')).toBe('two-layer');
    expect(Number(await attr('canvas[data-saliency]', 'data-max-abs'))).toBeGreaterThan(0);
    expect(await saliencyInk()).toBeGreaterThan(20);
    expect(await pixels('canvas[data-saliency]')).not.toEqual(convSaliency);
    // The two-layer net has no filters: no feature maps.
    expect(await maps.isHidden()).toBe(true);
    expect(await page.locator('[data-feature-maps-hint]').textContent()).toMatch(/has no convolution/);
    await page.locator('#try').screenshot({ path: join(screenshots, 'chapter7-try-two-layer-laptop.png') });

    await page.check('#model-choice-simple-convnet');
    expect(await attr('[data-top-class]', 'data-model')).toBe('simple-convnet');
    expect(await probabilities()).toEqual(conv);
  });

  it('loads a model file of `dlfs train --spec simple-convnet` into the pad', async () => {
    const file = await cliModel;
    await page.setInputFiles('#model-file', file);
    await page.waitForFunction(() => document.querySelector('[data-model-file-status]')?.textContent?.startsWith('Loaded conv.json'));
    expect(await page.locator('[data-model-file-status]').textContent()).toMatch(
      /^Loaded conv\.json: a 1×28×28-conv 30×5×5-100-10 network, \d+\.\d% validation accuracy when it was trained\.$/,
    );
    expect(await page.isChecked('#model-choice-file')).toBe(true);
    await page.locator('[data-action=clear]').click();
    await drawOne();
    const p = await probabilities();
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
    expect(await attr('[data-top-class]', 'data-model')).toBe('file');
    expect(await attr('[data-feature-maps]', 'data-model')).toBe('file');
    expect(await attr('canvas[data-saliency]', 'data-model')).toBe('file');
    expect(await saliencyInk()).toBeGreaterThan(20);
    await page.check('#model-choice-simple-convnet');
  });

  it('lays out on a phone without horizontal scrolling (screenshots in .screenshots/chapter7-*.png)', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.locator('#training').screenshot({ path: join(screenshots, 'chapter7-training-laptop.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.locator('[data-filters-card]').screenshot({ path: join(screenshots, 'chapter7-filters-phone.png') });
    await page.locator('#try').screenshot({ path: join(screenshots, 'chapter7-try-phone.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
