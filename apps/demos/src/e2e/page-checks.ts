import type { Page } from 'playwright-core';

/** `p`, with its console errors, page errors and failed requests pushed onto `problems` (a test fails on any). */
export function watched(p: Page, problems: string[]): Page {
  p.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  p.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  return p;
}

/** How long `p`'s main thread takes to run a zero-delay timeout: how long the page would take to react. */
export function mainThreadDelay(p: Page): Promise<number> {
  return p.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const t = performance.now();
        setTimeout(() => resolve(performance.now() - t), 0);
      }),
  );
}
