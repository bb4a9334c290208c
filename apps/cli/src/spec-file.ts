import { existsSync, readFileSync } from 'node:fs';
import { NAMED_SPECS, type NetworkSpec, parseSpec, SpecError } from '@dlfs/model';
import { InputError } from './errors.js';

/**
 * The spec `--spec` names: a file (a missing or unreadable file and bad JSON name the path; the
 * spec itself is checked by parseSpec), or one of the named example specs (`simple-convnet`,
 * `deep-convnet`) when no file of that name exists.
 */
export function readSpecFile(path: string): NetworkSpec {
  const named = Object.hasOwn(NAMED_SPECS, path) ? NAMED_SPECS[path] : undefined;
  if (named !== undefined && !existsSync(path)) return parseSpec(JSON.parse(JSON.stringify(named.spec)), path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    const names = Object.keys(NAMED_SPECS).join(', ');
    throw new InputError(`--spec ${path}: cannot be read (${code}); give a spec file, or one of the named specs: ${names}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SpecError(path, '', `is not valid JSON: ${(err as Error).message}`);
  }
  return parseSpec(json, path);
}
