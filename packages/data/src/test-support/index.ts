// Helpers shared by the data tests: fixture files in a temporary directory and CsvError checks.
// Excluded from the build (tsconfig.build.json).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { type CsvColumn, CsvError, type CsvErrorCode } from '../csv-error.js';

/** A temporary directory for the test file, removed after its tests; `write` returns the file's path. */
export function useTempDir(): { write(name: string, content: string | Uint8Array): string; path(name: string): string } {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dlfs-data-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    write(name, content) {
      const file = join(dir, name);
      writeFileSync(file, content);
      return file;
    },
    path: (name) => join(dir, name),
  };
}

export interface ExpectedCsvError {
  code: CsvErrorCode;
  file: string;
  line: number | undefined;
  column?: CsvColumn;
  /** Pieces the message must contain. */
  says?: readonly string[];
}

/** Awaits `promise`, expects it to reject with a CsvError as described, and returns the error. */
export async function expectCsvError(promise: Promise<unknown>, expected: ExpectedCsvError): Promise<CsvError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CsvError);
  const e = err as CsvError;
  expect({ code: e.code, file: e.file, line: e.line, column: e.column }).toEqual({
    code: expected.code,
    file: expected.file,
    line: expected.line,
    column: expected.column,
  });
  const place = `${expected.file}${expected.line === undefined ? '' : `, line ${expected.line}`}`;
  expect(e.message.startsWith(place), e.message).toBe(true);
  if (expected.column !== undefined) expect(e.message).toContain(`column ${expected.column.index} ${JSON.stringify(expected.column.name)}`);
  for (const piece of expected.says ?? []) expect(e.message).toContain(piece);
  return e;
}
