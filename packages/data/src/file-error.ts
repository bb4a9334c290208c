import { resolve } from 'node:path';
import { CsvError } from './csv-error.js';

/** Turns an error from opening or reading `file` into a CsvError that says what to do; other errors pass through. */
export function fileError(file: string, err: unknown): unknown {
  if (err instanceof CsvError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') {
    return new CsvError('FILE_NOT_FOUND', { file }, `no such file (looked for ${resolve(file)}); check the path and the current directory`, { cause: err });
  }
  if (code === 'EISDIR') return new CsvError('NOT_A_FILE', { file }, `${resolve(file)} is a directory; give the path of a .csv file`, { cause: err });
  if (typeof code === 'string') {
    const reason = err instanceof Error ? err.message : String(err);
    return new CsvError('UNREADABLE', { file }, `cannot read the file (${reason}); check that it exists and that you may read it`, { cause: err });
  }
  return err;
}
