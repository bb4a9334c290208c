import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../dist/bin.js');

export interface DlfsRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `dlfs` binary as a user would, in `cwd`, without a terminal. */
export function dlfs(args: readonly string[], cwd: string): DlfsRun {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'dlfs-cli-'));
}

/** No Node stack frame in what a user sees. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+:\d+:\d+/.test(text);
}
