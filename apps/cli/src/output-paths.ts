import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '@dlfs/data/node';
import { InputError } from './errors.js';

function kindOf(path: string): 'missing' | 'file' | 'dir' | 'other' {
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    // ENOTDIR: a file stands where a folder of the path should be.
    if (code === 'ENOTDIR') return 'missing';
    throw err;
  }
}

/** The nearest ancestor of `path` that exists, and what it is. */
function nearestExisting(path: string): { at: string; kind: 'file' | 'dir' | 'other' } {
  let at = resolve(path);
  for (;;) {
    const kind = kindOf(at);
    if (kind !== 'missing') return { at, kind };
    const up = dirname(at);
    if (up === at) return { at, kind: 'dir' };
    at = up;
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks, before any work starts, that `path` (given with `flag`) can be written as a file: its
 * folder exists, is a folder and is writable, and the path itself is not a folder. A mistake is
 * an InputError naming the flag, the path and the fix, so that no run is lost to it.
 */
export function checkOutputFile(flag: string, path: string): void {
  const kind = kindOf(path);
  if (kind === 'dir') throw new InputError(`${flag} ${path}: is a folder; give a file name, such as ${path.replace(/\/+$/, '')}/model.json`);
  if (kind === 'other') throw new InputError(`${flag} ${path}: is not a regular file; give the path of a file to write`);
  const folder = dirname(resolve(path));
  const above = nearestExisting(folder);
  if (above.kind !== 'dir') throw new InputError(`${flag} ${path}: ${above.at} is a file, so no folder can be below it; choose another place`);
  if (above.at !== folder) {
    throw new InputError(`${flag} ${path}: the folder ${folder} does not exist; create it first (mkdir -p ${folder}) or choose another place`);
  }
  if (!writable(folder)) throw new InputError(`${flag} ${path}: the folder ${folder} is not writable; choose another place`);
}

/**
 * Checks, before any work starts, that `path` can be a folder to write files into: it is a
 * folder already, or it can be made (its nearest existing ancestor is a writable folder).
 */
export function checkOutputFolder(flag: string, path: string): void {
  const kind = kindOf(path);
  if (kind === 'file' || kind === 'other') throw new InputError(`${flag} ${path}: is a file, not a folder; give a folder to write into`);
  const above = kind === 'dir' ? { at: resolve(path), kind: 'dir' as const } : nearestExisting(path);
  if (above.kind === 'file') throw new InputError(`${flag} ${path}: ${above.at} is a file, so no folder can be below it; choose another place`);
  if (!writable(above.at)) throw new InputError(`${flag} ${path}: ${above.at} is not writable; choose another place`);
}

/** Writes `content` (text or bytes) to `path` atomically; an error while writing names the flag and the path. */
export function writeOutputFile(flag: string, path: string, content: string | Uint8Array): void {
  try {
    writeFileAtomic(path, content);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new InputError(`${flag} ${path}: could not be written (${e.code ?? e.message}); an existing file there is left as it was`);
  }
}
