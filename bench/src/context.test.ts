import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openBaseline } from './context.js';
import { UsageError } from './options.js';

const root = mkdtempSync(join(tmpdir(), 'dlfs-bench-baseline-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A directory shaped like a built checkout: only the entry points in `files` exist. */
function checkout(name: string, files: readonly string[]): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'bench', 'dist'), { recursive: true });
  for (const f of files) writeFileSync(join(dir, 'bench', 'dist', f), '');
  return dir;
}

describe('openBaseline', () => {
  it('finds the entry points of a built checkout, named by its directory when git cannot tell its commit', () => {
    const dir = checkout('built', ['worker.js', 'csv-load.js']);
    const b = openBaseline(dir, ['train', 'csv']);
    expect(b.worker).toBe(join(dir, 'bench', 'dist', 'worker.js'));
    expect(b.csvLoader).toBe(join(dir, 'bench', 'dist', 'csv-load.js'));
    expect(b.revision).toBe(basename(dir));
  });
  it('is named by its short commit when it is a git checkout', () => {
    const dir = checkout('repo', ['worker.js']);
    const git = (...args: string[]): string =>
      execFileSync('git', ['-C', dir, '-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args], { encoding: 'utf8' }).trim();
    git('init', '-q');
    git('commit', '-q', '--allow-empty', '-m', 'baseline');
    const b = openBaseline(dir, ['train']);
    expect(b.commit).toBe(git('rev-parse', 'HEAD'));
    expect(b.revision).toBe(git('rev-parse', '--short', 'HEAD'));
  });
  it('is a usage error, naming the path and the fix, when the directory is missing or not built', () => {
    const missing = join(root, 'nowhere');
    expect(() => openBaseline(missing, ['train'])).toThrow(UsageError);
    expect(() => openBaseline(missing, ['train'])).toThrow(`--baseline ${missing}: no such directory`);
    const unbuilt = checkout('unbuilt', []);
    expect(() => openBaseline(unbuilt, ['train'])).toThrow(`${join(unbuilt, 'bench', 'dist', 'worker.js')} is missing`);
    expect(() => openBaseline(unbuilt, ['train'])).toThrow(`run \`pnpm install && pnpm build\` in ${unbuilt}`);
  });
  it('asks for csv-load.js only when the csv section runs', () => {
    const dir = checkout('no-csv-load', ['worker.js']);
    expect(openBaseline(dir, ['train']).revision).toBe('no-csv-load');
    expect(() => openBaseline(dir, ['train', 'csv'])).toThrow(/csv-load\.js is missing/);
  });
});
