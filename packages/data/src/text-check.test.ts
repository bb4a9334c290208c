import { describe, expect, it } from 'vitest';
import { CsvError } from './csv-error.js';
import { TextCheck } from './text-check.js';

/** Feeds `bytes` to a fresh TextCheck in pieces cut at `cuts`, then ends it; returns the error, if any. */
function run(bytes: Uint8Array, cuts: readonly number[] = []): CsvError | undefined {
  const check = new TextCheck('f.csv');
  const edges = [0, ...cuts, bytes.length];
  try {
    for (let i = 0; i + 1 < edges.length; i++) check.check(Buffer.from(bytes.subarray(edges[i], edges[i + 1])));
    check.end();
  } catch (err) {
    if (err instanceof CsvError) return err;
    throw err;
  }
  return undefined;
}

describe('TextCheck', () => {
  it('accepts ASCII and UTF-8 text, with characters split across chunks at every byte', () => {
    const text = Buffer.from('label,名前,größe\n😀,é,ß\n', 'utf8');
    for (let cut = 0; cut <= text.length; cut++) expect(run(text, [cut]), `cut at ${cut}`).toBeUndefined();
    expect(run(text, [10, 11, 12, 13])).toBeUndefined();
  });

  it('refuses a NUL byte, naming its line', () => {
    const err = run(Buffer.from('a,b\n1,2\n3,\u00004\n', 'latin1'), [5]);
    expect(err?.code).toBe('NOT_CSV');
    expect(err?.line).toBe(3);
    expect(err?.message).toContain('NUL byte (at byte offset 10)');
  });

  it('refuses invalid UTF-8: a stray continuation byte, an overlong form, a surrogate, a byte above F4', () => {
    for (const bytes of [
      [0x41, 0x80],
      [0xc0, 0xaf],
      [0xe0, 0x80, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0xe9, 0x62],
    ]) {
      const err = run(Uint8Array.from([0x0a, ...bytes]));
      expect(err?.code, bytes.join(' ')).toBe('NOT_CSV');
      expect(err?.line).toBe(2);
    }
  });

  it('names the first byte of a broken character even when it came in an earlier chunk', () => {
    const err = run(Uint8Array.from([0x61, 0x0a, 0xe2, 0x82, 0x41]), [3]);
    expect(err?.message).toContain('starting with byte 0xe2 (at byte offset 2)');
    expect(err?.line).toBe(2);
  });

  it('refuses a file that ends inside a character', () => {
    const err = run(Uint8Array.from([0x61, 0x0a, 0xe2, 0x82]));
    expect(err?.message).toContain('ends in the middle of a UTF-8 character');
    expect(err?.line).toBe(2);
  });

  it('recognises UTF-16 by its byte order mark', () => {
    expect(run(Uint8Array.from([0xfe, 0xff, 0x00, 0x61]))?.message).toContain('UTF-16');
    expect(run(Uint8Array.from([0xff, 0xfe, 0x61, 0x00]))?.message).toContain('UTF-16');
  });
});
