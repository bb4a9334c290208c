import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type Browser, launchChromium } from './chromium.js';
import { ensureBuilt } from './ensure-built.js';
import { watched } from './page-checks.js';
import { type ServeOptions, serveStatic, type StaticServer } from './static-server.js';

/** The demos app's folder. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the e2e tests leave their screenshots. */
export const screenshots = join(root, '.screenshots');

/** The built site, served and open in chromium, for the tests of one file. */
export interface DemoSite {
  server: StaticServer;
  browser: Browser;
  /** The page every test of the file works on, at the site's address. */
  page: Page;
  /** Console errors, page errors and failed requests of watched pages: any of them fails the test it happens in. */
  problems: string[];
}

/**
 * Registers the hooks of an e2e file: before all, build the site if needed, serve it (`opts`)
 * and open it in Debian's chromium with its problems watched; after each test, fail it on the
 * problems it saw; after all, close the browser and the server. Returns the site, set once the
 * first hook has run.
 */
export function useDemoSite(opts: ServeOptions = {}): DemoSite {
  const site = { problems: [] as string[] } as DemoSite;
  beforeAll(async () => {
    ensureBuilt(root);
    mkdirSync(screenshots, { recursive: true });
    site.server = await serveStatic(join(root, 'dist', 'site'), opts);
    site.browser = await launchChromium();
    site.page = watched(await site.browser.context.newPage(), site.problems);
    await site.page.goto(site.server.url);
  }, 120_000);
  afterEach(() => {
    const seen = site.problems.splice(0);
    expect(seen, 'console errors, page errors or failed requests').toEqual([]);
  });
  afterAll(async () => {
    await site.browser?.close();
    await site.server?.close();
  });
  return site;
}
