import { readFileSync } from 'node:fs';
import { type NetworkSpec, parseSpec, SpecError } from '@dlfs/model';
import { InputError } from './errors.js';

/** Reads a `--spec` file: a missing or unreadable file and bad JSON name the path; the spec itself is checked by parseSpec. */
export function readSpecFile(path: string): NetworkSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`--spec ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SpecError(path, '', `is not valid JSON: ${(err as Error).message}`);
  }
  return parseSpec(json, path);
}
