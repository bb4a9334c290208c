import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Options, type Section, UsageError } from './options.js';
import type { NumpyProbe } from './python.js';

/** Another checkout of this repository (`--baseline DIR`), whose dlfs is measured beside this tree's. */
export interface Baseline {
  /** Absolute path of its root. */
  dir: string;
  /** Its short commit (`git rev-parse --short HEAD`), or the directory's name when git cannot tell. */
  revision: string;
  /** Its full commit, when git could tell. */
  commit?: string;
  /** Its own compiled bench entry points: they load its node_modules, hence its dlfs. */
  worker: string;
  csvLoader: string;
}

/** What every section of the run shares. */
export interface BenchContext {
  opts: Options;
  /** The data file every implementation reads (bench-data.ts). */
  dataPath: string;
  /** Digits in the data file. */
  dataRows: number;
  numpy: NumpyProbe;
  /** Environment of the NumPy children (see numpyEnv), with `--numpy-threads` BLAS threads. */
  numpyEnv: NodeJS.ProcessEnv;
  /** The same with the BLAS library's own thread count. */
  numpyEnvDefaultThreads: NodeJS.ProcessEnv;
  /** Set by `--baseline DIR`. */
  baseline?: Baseline;
  /** Progress, to stderr. */
  log(line: string): void;
  notes: string[];
}

/** The compiled Node entry points, beside this file in dist/. */
export const NODE_WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
export const CSV_LOADER = fileURLToPath(new URL('./csv-load.js', import.meta.url));

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function git(dir: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks that `dir` is a built checkout of this repository before anything runs: a missing or
 * unbuilt one is the user's to fix (UsageError), not a section that fails half-way through.
 * Only the entry points that `sections` will start are required.
 */
export function openBaseline(dir: string, sections: readonly Section[]): Baseline {
  const fix = `DIR must be another checkout of this repository, installed and built: run \`pnpm install && pnpm build\` in ${dir}`;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(
      `--baseline ${dir}: no such directory. Make one with \`git worktree add --detach ${dir} <commit>\`, then run \`pnpm install && pnpm build\` in it ` +
        `(see bench/README.md)`,
    );
  }
  const worker = join(dir, 'bench', 'dist', 'worker.js');
  const csvLoader = join(dir, 'bench', 'dist', 'csv-load.js');
  const needed = [worker, ...(sections.includes('csv') ? [csvLoader] : [])];
  const missing = needed.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new UsageError(`--baseline ${dir}: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing. ${fix}`);
  const commit = git(dir, ['rev-parse', 'HEAD']);
  const revision = git(dir, ['rev-parse', '--short', 'HEAD']) ?? basename(dir);
  return { dir, revision, ...(commit === undefined ? {} : { commit }), worker, csvLoader };
}
