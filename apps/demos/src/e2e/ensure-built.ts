import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time of the files under `dir`, tests left out. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, entry.name === 'e2e' ? 0 : newest(path));
    else if (!entry.name.endsWith('.test.ts')) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * Builds the site unless dist/site is newer than every source of it. Through turbo the build
 * has already run (test depends on build); a bare `pnpm test` in apps/demos gets it here.
 */
export function ensureBuilt(root: string): void {
  const built = join(root, 'dist', 'site', 'index.html');
  const asset = join(root, 'dist', 'site', 'mnist-sample.bin');
  const sources = Math.max(newest(join(root, 'src')), ...['index.html', 'vite.config.ts', 'package.json'].map((f) => statSync(join(root, f)).mtimeMs));
  if (existsSync(built) && existsSync(asset) && statSync(built).mtimeMs >= sources) return;
  execFileSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
}
