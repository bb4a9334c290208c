import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshots, useDemoSite } from './demo-site.js';
import { mainThreadDelay } from './page-checks.js';

// Chapter 6 in Debian's chromium: the optimizers' paths on x²/20 + y² and their race on MNIST
// (6.1), the activation histograms of 6.2, and the Batch Norm / weight decay / Dropout lab (6.3, 6.4).

const site = useDemoSite();
let page: Page;
beforeAll(() => {
  page = site.page;
});

const num = async (selector: string, attr: string): Promise<number> => Number(await page.locator(selector).first().getAttribute(attr));
const path = (type: string): string => `.path-card[data-optimizer=${type}]`;

async function setSteps(n: number): Promise<void> {
  await page.locator('#opt-steps').evaluate((el: HTMLInputElement, value) => {
    el.value = String(value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, n);
}

describe('chapter 6 in chromium', () => {
  it('6.1: the optimizers’ paths follow the book, and a learning rate or the step count changes them', async () => {
    expect(await page.locator('#opt-steps-out').textContent()).toBe('30 steps');
    const d = async (type: string): Promise<number> => num(path(type), 'data-distance');
    const [sgd, momentum, adagrad, adam] = [await d('sgd'), await d('momentum'), await d('adagrad'), await d('adam')];
    console.log(`distances after 30 steps: SGD ${sgd.toFixed(3)}, Momentum ${momentum.toFixed(3)}, AdaGrad ${adagrad.toFixed(3)}, Adam ${adam.toFixed(3)}`);
    // The book's end points (NumPy, common/optimizer.py): SGD (−0.350, 0.085), AdaGrad (−0.120, 0.000), Adam (0.136, 0.318).
    expect(await num(path('sgd'), 'data-end-x')).toBeCloseTo(-0.3503929957523197, 9);
    expect(await num(path('adam'), 'data-end-y')).toBeCloseTo(0.31824537553721943, 9);
    expect(adam).toBeLessThan(sgd);
    expect(adagrad).toBeLessThan(sgd);
    expect(await page.locator('.path-card:not([hidden])').count()).toBe(4);

    // A smaller learning rate leaves SGD farther from the minimum after the same 30 steps.
    await page.fill('#opt-lr-sgd', '0.3');
    const slower = await d('sgd');
    expect(slower).toBeGreaterThan(sgd + 0.5);
    expect(await page.locator(`${path('sgd')} figcaption`).textContent()).toBe('SGD · lr 0.3');
    await page.fill('#opt-lr-sgd', '0.95');
    expect(await d('sgd')).toBe(sgd);

    // More steps bring Adam closer; the count is shown.
    await setSteps(60);
    expect(await page.locator('#opt-steps-out').textContent()).toBe('60 steps');
    expect(await num(path('adam'), 'data-steps')).toBe(60);
    expect(await page.locator(`${path('adam')} .path-readout`).textContent()).toMatch(/^After 60 steps: /);
    await setSteps(30);

    // RMSprop and Nesterov are there too.
    await page.check('#opt-show-rmsprop');
    expect(await page.locator(path('rmsprop')).isVisible()).toBe(true);
    expect(await d('rmsprop')).toBeLessThan(0.01);
    await page.locator('#optimizers .path-grid').screenshot({ path: join(screenshots, 'chapter6-paths-laptop.png') });
    await page.uncheck('#opt-show-rmsprop');
  });

  it('6.1: SGD, Momentum, AdaGrad and Adam race on MNIST in a worker: four curves whose losses fall, the page responsive', async () => {
    await page.fill('#race-iterations', '300');
    await page.click('[data-action=race]');
    await page.waitForFunction(() => Number(document.querySelector('[data-race=adam]')?.getAttribute('data-points') ?? 0) > 20, undefined, { timeout: 60_000 });
    expect(await mainThreadDelay(page)).toBeLessThan(250);
    // The page still computes its own numbers while the worker trains.
    await page.fill('#opt-lr-adagrad', '1');
    expect(await page.locator(`${path('adagrad')} figcaption`).textContent()).toBe('AdaGrad · lr 1');
    await page.fill('#opt-lr-adagrad', '1.5');
    await page.waitForSelector('.race[data-state=done]', { timeout: 180_000 });
    const legend = await page.locator('[data-race]').evaluateAll((els) =>
      els.map((e) => ({
        type: e.getAttribute('data-race'),
        first: Number(e.getAttribute('data-first')),
        last: Number(e.getAttribute('data-last')),
        points: Number(e.getAttribute('data-points')),
      })),
    );
    console.log(`race: ${legend.map((l) => `${l.type} ${l.first.toFixed(2)} → ${l.last.toFixed(2)}`).join(', ')}`);
    expect(legend.map((l) => l.type)).toEqual(['sgd', 'momentum', 'adagrad', 'adam']);
    for (const l of legend) {
      expect(l.points).toBe(300);
      expect(l.last).toBeLessThan(l.first - 0.3);
    }
    // SGD with the book's lr 0.01 is the slowest of the four, as in figure 6-9.
    for (const l of legend.slice(1)) expect(l.last).toBeLessThan(legend[0]!.last);
    expect(await page.locator('[data-race-status]').textContent()).toMatch(/^Done: 300 iterations of each in /);
    await page.locator('#optimizers .race').screenshot({ path: join(screenshots, 'chapter6-race-laptop.png') });
  });

  it('6.2: with ReLU, He’s initial weights keep the last layer’s activations spread out; std 0.01 squeezes them to 0', async () => {
    const last = '#initial-weights .hist[data-layer="5"]';
    // The book's first figure: sigmoid with std 1 piles the outputs at 0 and 1 (a std near 0.45).
    expect(await page.locator('.hist-grid').getAttribute('data-init')).toBe('std1');
    expect(await num(last, 'data-std')).toBeGreaterThan(0.4);
    await page.click('label[for=init-activation-relu]');
    await page.click('label[for=init-weights-he]');
    expect(await page.locator('.hist-grid').getAttribute('data-activation')).toBe('relu');
    const he = await num(last, 'data-std');
    await page.click('label[for=init-weights-std001]');
    expect(await page.locator('.hist-grid').getAttribute('data-init')).toBe('std001');
    const small = await num(last, 'data-std');
    await page.click('label[for=init-weights-xavier]');
    const xavier = await num(last, 'data-std');
    console.log(`ReLU, layer 5 std: He ${he.toFixed(4)}, Xavier ${xavier.toFixed(4)}, std 0.01 ${small.toExponential(2)}`);
    expect(he).toBeGreaterThan(0.3);
    expect(he).toBeGreaterThan(100 * small);
    expect(he).toBeGreaterThan(xavier);
    await page.click('label[for=init-activation-tanh]');
    expect(await page.locator('.hist-grid').getAttribute('data-activation')).toBe('tanh');
    expect(Number.isFinite(await num(last, 'data-std'))).toBe(true);
    await page.click('label[for=init-activation-relu]');
    await page.click('label[for=init-weights-he]');
    await page.locator('#initial-weights').screenshot({ path: join(screenshots, 'chapter6-init-laptop.png') });
  });

  it('6.3–6.4: on 300 digits, weight decay and Dropout narrow the train–test gap of the plain net', async () => {
    await page.fill('#lab-epochs', '100');
    await page.click('[data-action=lab-run]');
    await page.check('#lab-wd');
    await page.fill('#lab-lambda', '0.1');
    await page.click('[data-action=lab-run]');
    await page.uncheck('#lab-wd');
    await page.check('#lab-dropout');
    await page.fill('#lab-ratio', '0.2');
    await page.click('[data-action=lab-run]');
    const runs = page.locator('.lab-run');
    expect(await runs.count()).toBe(3);
    await page.waitForSelector('.lab-run[data-state=running]', { timeout: 60_000 });
    expect(await mainThreadDelay(page)).toBeLessThan(250);
    await page.waitForFunction(() => document.querySelectorAll('.lab-run[data-state=done]').length === 3, undefined, { timeout: 240_000 });
    const results = await runs.evaluateAll((els) =>
      els.map((e) => ({
        name: e.querySelector('.lab-run-name')?.textContent ?? '',
        train: Number(e.getAttribute('data-train')),
        test: Number(e.getAttribute('data-test')),
        gap: Number(e.getAttribute('data-gap')),
      })),
    );
    console.log(`lab: ${results.map((r) => `${r.name}: train ${r.train.toFixed(3)}, test ${r.test.toFixed(3)}, gap ${r.gap.toFixed(3)}`).join(' | ')}`);
    const [plain, decay, dropout] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
    expect(plain.name).toMatch(/^Run 1: no regularisation, 300 digits/);
    expect(decay.name).toMatch(/^Run 2: λ 0\.1, 300 digits/);
    expect(dropout.name).toMatch(/^Run 3: dropout 0\.2, 300 digits/);
    expect(plain.train).toBeGreaterThan(0.9);
    expect(plain.gap).toBeGreaterThan(0.12);
    expect(decay.gap).toBeLessThan(plain.gap - 0.03);
    expect(dropout.gap).toBeLessThan(plain.gap - 0.03);
    await page.locator('#regularisation').screenshot({ path: join(screenshots, 'chapter6-lab-laptop.png') });

    // Batch Normalization from poor initial weights (std 0.01) learns where the plain net stalls, as figure 6-19 shows.
    await page.click('[data-action=lab-clear]');
    expect(await runs.count()).toBe(0);
    await page.uncheck('#lab-dropout');
    await page.fill('#lab-epochs', '20');
    await page.selectOption('#lab-init', '0.01');
    await page.click('[data-action=lab-run]');
    await page.check('#lab-bn');
    await page.click('[data-action=lab-run]');
    await page.waitForFunction(() => document.querySelectorAll('.lab-run[data-state=done]').length === 2, undefined, { timeout: 120_000 });
    const [noBn, bn] = await runs.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-train'))));
    console.log(`std 0.01, 20 epochs: train accuracy without BN ${noBn}, with BN ${bn}`);
    expect(bn!).toBeGreaterThan(noBn! + 0.3);
    await page.uncheck('#lab-bn');
    await page.selectOption('#lab-init', 'he');
    await page.fill('#lab-epochs', '200');
  });

  it('lays out chapter 6 on a laptop and on a phone (screenshots in .screenshots/chapter6-*.png)', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.locator('#optimizers').screenshot({ path: join(screenshots, 'chapter6-optimizers-laptop.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    for (const id of ['optimizers', 'initial-weights', 'regularisation']) {
      const section = page.locator(`#${id}`);
      const box = (await section.boundingBox())!;
      expect(box.width).toBeLessThanOrEqual(390);
      await section.screenshot({ path: join(screenshots, `chapter6-${id}-phone.png`) });
    }
    // The charts follow the width: every canvas of chapter 6 fits the phone.
    const widest = await page.evaluate(() =>
      Math.max(
        ...Array.from(document.querySelectorAll('#optimizers canvas, #initial-weights canvas, #regularisation canvas'), (c) => c.getBoundingClientRect().right),
      ),
    );
    expect(widest).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
