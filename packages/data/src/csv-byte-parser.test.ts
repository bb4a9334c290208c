import { parse } from 'csv-parse';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvByteParser } from './csv-byte-parser.js';
import { CsvRowReader } from './csv-row-reader.js';

/**
 * What a parser made of some bytes: the records with their line numbers, how many it had
 * after each chunk but the last, and the error it stopped at, if any.
 */
interface Outcome {
  records: [string[], number][];
  afterChunk: number[];
  error?: { code: unknown; message: string; lines: unknown; column: unknown };
}

function describeError(err: unknown): Outcome['error'] {
  const e = err as { code?: unknown; message: string; lines?: unknown; column?: unknown };
  return { code: e.code, message: e.message, lines: e.lines, column: e.column };
}

/** csv-parse with loadCsv's options, fed the same chunks as a stream (each write parses at once). */
function withCsvParse(chunks: readonly Buffer[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const records: [string[], number][] = [];
    const afterChunk: number[] = [];
    const parser = parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      on_record: (record: string[], info) => {
        records.push([record, info.lines]);
        return null;
      },
    });
    parser.on('error', (err) => resolve({ records, afterChunk, error: describeError(err) }));
    parser.on('end', () => resolve({ records, afterChunk }));
    parser.resume();
    for (const chunk of chunks.slice(0, -1)) {
      parser.write(chunk);
      // A chunk that failed sets state.stop at once; the error is emitted on the next tick.
      if ((parser as unknown as { state: { stop: boolean } }).state.stop) return;
      afterChunk.push(records.length);
    }
    parser.end(chunks.at(-1));
  });
}

/** The byte parser fed the same chunks, each after the bytes it left last time, as loadCsv does. */
function withByteParser(chunks: readonly Buffer[]): Outcome {
  const records: [string[], number][] = [];
  const afterChunk: number[] = [];
  const parser = new CsvByteParser({ onRecord: (record, line) => records.push([record, line]) });
  try {
    let kept = Buffer.alloc(0);
    for (const [i, chunk] of chunks.entries()) {
      const buf = Buffer.concat([kept, chunk]);
      const left = parser.parse(buf, false);
      kept = Buffer.from(buf.subarray(buf.length - left));
      if (i < chunks.length - 1) afterChunk.push(records.length);
    }
    parser.parse(kept, true);
  } catch (err) {
    return { records, afterChunk, error: describeError(err) };
  }
  return { records, afterChunk };
}

function cut(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const edges = [...new Set(cuts.map((c) => 1 + (c % Math.max(1, bytes.length - 1))))].filter((c) => c < bytes.length).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const e of [...edges, bytes.length]) {
    chunks.push(bytes.subarray(from, e));
    from = e;
  }
  return chunks;
}

// Everything csv-parse's loop treats specially with loadCsv's options: delimiters, quotes,
// escaped quotes, each line end, ASCII and Unicode white space (trimmed), a byte order mark
// in mid-file, multi-byte text, and plain values.
const TOKENS = [
  '1',
  '23',
  '-4.5',
  '0',
  'ab',
  'é',
  '€',
  '😀',
  ',',
  ',',
  ',',
  '"',
  '"',
  '""',
  ' ',
  '  ',
  '\t',
  '\v',
  '\f',
  '\r',
  '\n',
  '\n',
  '\r\n',
  '\r\n',
  '\u00a0',
  '\u1680',
  '\u2003',
  '\u200a',
  '\u2028',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  '\u2060',
];
const textArb = fc.tuple(fc.boolean(), fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 })).map(([bom, tokens]) => (bom ? '\ufeff' : '') + tokens.join(''));

describe('CsvByteParser splits records exactly as csv-parse does', () => {
  it('records, line numbers and errors (code, message, line, column), whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(textArb, fc.array(fc.nat(), { maxLength: 6 }), async (text, cuts) => {
        const bytes = Buffer.from(text, 'utf8');
        const chunks = cut(bytes, cuts);
        expect(withByteParser(chunks)).toEqual(await withCsvParse(chunks));
      }),
      { numRuns: 3000 },
    );
  });

  it('on hand-picked cases: quotes, line ends of every kind, trimming, end of input', async () => {
    const cases = [
      'a,b\n1,2\n',
      'a,b\r\n1,2\r\n',
      'a,b\r1,2\r',
      'a,b\n1,2\r\n3,4\n',
      'a,b\r\n1,2\n3,4\r\n',
      'a,"b\r\nc"\r\n1,2\r\n',
      'a,"b""c"\n1,"2"\n',
      'a,b\n"1" ,2\n',
      'a,b\n"1"x,2\n',
      'a,b\n1"x",2\n',
      'a,b\n1,"2',
      'a,b\n1,"2\n',
      '\ufeff"a",b\n1,2',
      '\ufeff\ufeffa,b\n',
      'a,b\n\n\n   \n1,2\n\n',
      'a,b\n"1"\u3000,2\n',
      'a,b\n"1"\u00a0x\n',
      'a',
      '"',
      '\n',
      '\r',
      'ab',
    ];
    for (const text of cases) {
      const bytes = Buffer.from(text, 'utf8');
      for (let at = 0; at <= bytes.length; at++) {
        const chunks = at === 0 || at === bytes.length ? [bytes] : [bytes.subarray(0, at), bytes.subarray(at)];
        expect(withByteParser(chunks), `${JSON.stringify(text)} cut at ${at}`).toEqual(await withCsvParse(chunks));
      }
    }
  });
});

describe('CsvByteParser fast rows', () => {
  function load(text: string, label: string | null = 'label'): { parser: CsvByteParser; reader: CsvRowReader } {
    const reader = new CsvRowReader('f.csv', { label, requireLabel: label !== null, classes: undefined });
    const parser = new CsvByteParser(reader);
    parser.parse(Buffer.from(text), true);
    return { parser, reader };
  }

  it("reads rows of plain numbers without csv-parse's loop, and any other row through it", () => {
    const { parser, reader } = load('label,a,b\n1,2,3\n0, 4 ,-5.25e1\n1,"6",7\n2,\t8,9.\n');
    expect(parser.fastRows).toBe(3);
    expect(parser.slowRecords).toBe(2); // the header and the quoted row
    expect(Array.from(reader.finish().x.data)).toEqual([2, 3, 4, -52.5, 6, 7, 8, 9]);
  });

  it("hands a row that does not fit the fast grammar to csv-parse's loop, which says what is wrong", () => {
    expect(() => load('label,a,b\n1,2,3\n1,2\n')).toThrow(/line 3: the row has 2 fields/);
    expect(() => load('label,a,b\n1,2,x\n')).toThrow(/"x" is not a number/);
    expect(() => load('label,a,b\n1,2,1e39\n')).toThrow(/too large for float32/);
  });

  it('reads numbers the way Number does, to the last bit', () => {
    const texts = [
      '0',
      '-0',
      '+7',
      '007',
      '.5',
      '5.',
      '-.125',
      '0.1',
      '123456789012345',
      '1234567890123456789',
      '0.30000000000000004',
      '1e-7',
      '-2.5E+3',
      '16777217',
      '3.4028234e38',
    ];
    const { reader } = load(`${texts.map((_, i) => `c${i}`).join(',')}\n${texts.join(',')}\n`, null);
    const x = reader.finish().x.data as Float32Array;
    const expected = Float32Array.from(texts, Number);
    expect(Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length))).toEqual(Array.from(new Uint32Array(expected.buffer)));
  });
});
