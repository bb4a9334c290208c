// The fast parser against csv-parse, the reference: on the same file both must give the same
// dataset, bit for bit, the same progress reports, or the same error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvError, type CsvErrorFacts } from './csv-error.js';
import type { CsvWarning } from './csv-warning.js';
import { type CsvParserChoice, type LoadCsvOptions, type LoadProgress, loadCsv, loadCsvInChunks } from './load-csv.js';
import { useTempDir } from './test-support/index.js';

const tmp = useTempDir();

/** A load's outcome in plain data: the dataset with `x` as float32 bit patterns, or the error; and the progress reports. */
type Outcome =
  | {
      ok: true;
      x: number[] | string;
      shape: readonly number[];
      labels?: number[];
      classes?: unknown[];
      labelColumn?: string;
      featureNames: string[];
      rows: number;
      warnings: readonly CsvWarning[];
      progress: LoadProgress[];
    }
  | {
      ok: false;
      error: { name: string; code: string; file: string; line: number | undefined; column: unknown; message: string; cause?: string; facts: CsvErrorFacts };
      progress: LoadProgress[];
    };

async function outcome(file: string, options: LoadCsvOptions, parser: CsvParserChoice, chunkBytes?: number): Promise<Outcome> {
  const progress: LoadProgress[] = [];
  const opts = { ...options, parser, onProgress: (p: LoadProgress) => progress.push(p) };
  try {
    const d = await (chunkBytes === undefined ? loadCsv(file, opts) : loadCsvInChunks(file, opts, chunkBytes));
    const data = d.x.data as Float32Array;
    return {
      ok: true,
      x: bitPatterns(data),
      shape: d.x.shape,
      ...(d.labels === undefined ? {} : { labels: Array.from(d.labels), classes: d.classes, labelColumn: d.labelColumn }),
      featureNames: d.featureNames,
      rows: d.rows,
      warnings: d.warnings,
      progress,
    };
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const cause = err.cause instanceof Error ? `${(err.cause as { code?: string }).code}: ${err.cause.message}` : undefined;
    const facts: CsvErrorFacts = { value: err.value, tooLarge: err.tooLarge, label: err.label, columns: err.columns, classes: err.classes };
    return {
      ok: false,
      error: { name: err.name, code: err.code, file: err.file, line: err.line, column: err.column, message: err.message, cause, facts },
      progress,
    };
  }
}

/** Loads `file` with both parsers, in 1 MiB reads and in `chunkBytes` reads, expects the same outcomes, and returns csv-parse's. */
async function expectSameOutcome(file: string, options: LoadCsvOptions, chunkBytes: number): Promise<Outcome> {
  const reference = await outcome(file, options, 'csv-parse');
  expect(await outcome(file, options, 'fast')).toEqual(reference);
  expect(await outcome(file, options, 'auto')).toEqual(reference);
  const small = await outcome(file, options, 'csv-parse', chunkBytes);
  expect(await outcome(file, options, 'fast', chunkBytes)).toEqual(small);
  return reference;
}

/** The bit patterns of float32 values (so that -0 and 0 differ): numbers, or for a large array one string, which compares fast. */
function bitPatterns(data: Float32Array): number[] | string {
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  return bits.length <= 1000 ? Array.from(bits) : Buffer.from(bits.buffer, bits.byteOffset, bits.byteLength).toString('base64');
}

/** What Number makes of each text, rounded to float32: the values a load must give. */
function expectedBits(texts: readonly string[]): number[] | string {
  return bitPatterns(Float32Array.from(texts, Number));
}

const plainNumber = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map(String),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.tuple(fc.integer({ min: -999, max: 999 }), fc.stringMatching(/^[0-9]{1,9}$/)).map(([i, f]) => `${i}.${f}`),
  fc.double({ min: -1e30, max: 1e30, noNaN: true }).map(String),
  fc.constantFrom(
    '0',
    '-0',
    '+7',
    '007',
    '.5',
    '-.25',
    '5.',
    '0.1',
    '1e3',
    '1E-3',
    '-2.5e+2',
    '3.4028234e38',
    '1e-46',
    '1e-400',
    '-1e-400',
    '123456789012345678',
    '0.30000000000000004',
    '16777217',
  ),
);
// How a writer may dress a number; csv-parse (quote, trim) reads each back as the number.
const dressed = fc
  .tuple(plainNumber, fc.constantFrom('plain', 'plain', 'plain', 'plain', 'quoted', 'spaces', 'tab', 'quoted-spaces', 'nbsp'))
  .map(([text, dress]) => {
    const field = { plain: text, quoted: `"${text}"`, spaces: `  ${text} `, tab: `\t${text}`, 'quoted-spaces': ` "${text}"  `, nbsp: `\u00a0${text}` }[dress];
    return { text, field };
  });
const WORDS = ['cat', 'dog', 'ant', 'Bee', 'two words', 'a,b', 'é', 'line\nbreak', 'say "hi"', 'x'];
// The same numbers written several ways, which loadCsv merges into one class and warns about.
const SPELLINGS = ['1', '1.0', '01', '1e0', '+1', '2', '2.00', '"2"', '" 2"', '0', '-0', '0.0'];
const labelArb = (kind: 'digit' | 'int' | 'word' | 'spelled') =>
  kind === 'digit'
    ? fc.integer({ min: 0, max: 9 }).map(String)
    : kind === 'int'
      ? fc.integer({ min: -5, max: 20 }).map(String)
      : kind === 'spelled'
        ? fc.constantFrom(...SPELLINGS)
        : fc.tuple(fc.constantFrom(...WORDS), fc.boolean()).map(([w, quote]) => (quote || /[,"\n ]/.test(w) ? `"${w.replace(/"/g, '""')}"` : w));

const tableArb = fc
  .record({
    features: fc.integer({ min: 1, max: 6 }),
    rows: fc.integer({ min: 1, max: 12 }),
    labelAt: fc.option(fc.nat(), { nil: undefined }),
    labelName: fc.constantFrom('label', 'digit'),
    labelKind: fc.constantFrom('digit' as const, 'int' as const, 'word' as const, 'spelled' as const),
    eol: fc.constantFrom('\n', '\r\n'),
    bom: fc.boolean(),
    quoteHeader: fc.boolean(),
    finalEol: fc.boolean(),
    trailing: fc.array(fc.constantFrom('', '   ', '\t'), { maxLength: 3 }),
    chunkBytes: fc.integer({ min: 1, max: 64 }),
  })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      cells: fc.array(fc.array(dressed, { minLength: shape.features, maxLength: shape.features }), { minLength: shape.rows, maxLength: shape.rows }),
      labels: fc.array(labelArb(shape.labelKind), { minLength: shape.rows, maxLength: shape.rows }),
      blankBefore: fc.array(fc.boolean(), { minLength: shape.rows, maxLength: shape.rows }),
    }),
  );

describe('the fast parser and csv-parse load the same', () => {
  it('valid tables, bit for bit: BOM, CRLF, quoted and padded numbers, text labels, the label anywhere, blank lines', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(tableArb, async ({ shape, cells, labels, blankBefore }) => {
        const labelAt = shape.labelAt === undefined ? -1 : shape.labelAt % (shape.features + 1);
        const names = Array.from({ length: shape.features }, (_, j) => `f${j}`);
        const header = [...names];
        if (labelAt >= 0) header.splice(labelAt, 0, shape.labelName);
        const lines = [header.map((h) => (shape.quoteHeader ? `"${h}"` : h)).join(',')];
        cells.forEach((row, r) => {
          const fields = row.map((c) => c.field);
          if (labelAt >= 0) fields.splice(labelAt, 0, labels[r]!);
          if (blankBefore[r]) lines.push('');
          lines.push(fields.join(','));
        });
        let text = (shape.bom ? '\ufeff' : '') + lines.join(shape.eol);
        if (shape.finalEol) text += shape.eol;
        if (shape.trailing.length > 0) text += shape.eol + shape.trailing.join(shape.eol);
        const file = tmp.write(`table-${n++}.csv`, text);
        const options = labelAt >= 0 ? { label: shape.labelName } : { label: null };
        const result = await expectSameOutcome(file, options, shape.chunkBytes);
        if (!result.ok) throw new Error(`valid table refused: ${result.error.message}\n${text}`);
        expect(result.x).toEqual(expectedBits(cells.flat().map((c) => c.text)));
        expect(result.featureNames).toEqual(names);
      }),
      { numRuns: 150 },
    );
  });

  it('any text after a header: the same dataset, or the same error at the same line and column', async () => {
    const tokens = [
      '1',
      '255',
      '-3.5',
      '1e3',
      '1e400',
      '1.0',
      '01',
      '0x1A',
      'NaN',
      'x',
      'é',
      ',',
      ',',
      ',',
      '"',
      '""',
      ' ',
      '\t',
      '\n',
      '\n',
      '\r\n',
      '\r',
      '\u00a0',
      '\u3000',
      '\ufeff',
    ];
    const headers = ['label,a,b', 'a,label', '"label", a ,b\r\n', 'a,b', 'label,a,a', 'label;a;b', '1,2', ''];
    const options: LoadCsvOptions[] = [{}, { label: null }, { classes: [0, 1, 255] }, { requireLabel: false }];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...headers),
        fc.array(fc.constantFrom(...tokens), { maxLength: 50 }),
        fc.constantFrom(...options),
        fc.integer({ min: 1, max: 16 }),
        async (header, body, opts, chunkBytes) => {
          const file = tmp.write(`any-${n++}.csv`, `${header}\n${body.join('')}`);
          await expectSameOutcome(file, opts, chunkBytes);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('near-valid tables: junk before, after or instead of any field, mixed line ends, the same outcome', async () => {
    const junk = ['x', '"', '""', ' ', '\t', '\r', ',', 'e', '.', '-', '+', 'é', '\u00a0', '\ufeff', '1', '0x', ''];
    const field = fc
      .tuple(
        fc.constantFrom('0', '7', '255', '-1.5', '.5', '2e3'),
        fc.constantFrom(...junk),
        fc.constantFrom('after', 'after', 'before', 'instead', 'none', 'none', 'none'),
      )
      .map(([number, j, where]) => ({ after: number + j, before: j + number, instead: j, none: number })[where]);
    const row = fc.tuple(fc.array(field, { minLength: 2, maxLength: 5 }), fc.constantFrom('\n', '\n', '\r\n', '\r'));
    const headers = ['label,a,b,c\n', 'a,b,label,c\n', 'a,b,c,label\r\n', 'a,b,c,d\n'];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...headers),
        fc.array(row, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 16 }),
        async (header, rows, chunkBytes) => {
          const file = tmp.write(`near-${n++}.csv`, header + rows.map(([fields, eol]) => fields.join(',') + eol).join(''));
          await expectSameOutcome(file, header.startsWith('a,b,c,d') ? { label: null } : {}, chunkBytes);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every malformed file of the loader tests, read in chunks of 1 to 7 bytes too', async () => {
    const header = Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(',');
    const fixtures: [string, string | Uint8Array, LoadCsvOptions?][] = [
      ['empty', ''],
      ['blank', '\n\r\n   \n'],
      ['header-only', 'label,a,b\n\n'],
      ['no-header', '1,0,0,255\n0,0,12,0\n'],
      ['few', 'label,a,b\n1,2,3\n0,4\n'],
      ['many-fields', 'label,a,b\r\n1,2,3\r\n\r\n0,4,5,6\r\n'],
      ['text', 'label,a,b\n1,2,3\n0,4,abc\n'],
      ['nan', 'label,a,b\n1,2,3\n0,NaN,3\n'],
      ['infinity', 'label,a,b\n1,2,3\n0,-Infinity,3\n'],
      ['hex', 'label,a,b\n1,2,3\n0,0x1A,3\n'],
      ['comma', 'label,a,b\n1,2,3\n0,"0,5",3\n'],
      ['huge', 'label,a,b\n1,2,3\n0,1e39,3\n'],
      ['beyond-float64', 'label,a,b\n1,2,3\n0,1e400,3\n'],
      ['beyond-float64-negative', 'label,a,b\n1,2,3\n0,2,-1e99999\n'],
      ['beyond-float64-quoted', 'label,a,b\n1,2,3\n0," 1E+400 ",3\n'],
      ['beyond-float64-digits', `label,a,b\n1,2,3\n0,${'9'.repeat(400)},3\n`],
      ['huge-hex', `label,a,b\n1,2,3\n0,0x${'f'.repeat(40)},3\n`],
      ['beyond-float64-unlabelled', 'a,b\n1,2\n1e400,3\n', { label: null }],
      ['text-first', 'digit,a\nseven,2\n', { label: null }],
      ['hole', 'label,a,b\n1,2,3\n0,,3\n'],
      ['quoted-hole', 'label,a,b\n1,2," "\n'],
      ['no-label', 'a,label\n1,2\n3,\n'],
      ['kaggle-test', `${header}\n${'0,'.repeat(783)}0\n`],
      ['cased', 'Label,a\n1,2\n'],
      ['unknown-label', 'label,a\n1,2\n7,3\n', { classes: [0, 1, 2] }],
      ['unclosed', 'label,a,b\n1,2,3\n0,"4,5\n1,2,3\n'],
      ['quote-after', 'label,a,b\n1,2,3\n0,"4"x,5\n'],
      ['quote-inside', 'label,a,b\n1,2,3\n0,4"x",5\n'],
      ['nul', Buffer.from('label,a\n1,2\n0,\u00003\n', 'latin1')],
      ['gz', Buffer.from([0x1f, 0x8b, 0x08, 0x08, 0x41, 0x42])],
      ['latin1', Buffer.from('label,a\nb\xe9b\xe9,2\n', 'latin1')],
      ['utf16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('label,a\n1,2\n', 'utf16le')])],
      ['cut-utf8', Buffer.from([0x6c, 0x61, 0x62, 0x65, 0x6c, 0x2c, 0x61, 0x0a, 0x31, 0x2c, 0x32, 0x0a, 0xe2, 0x82])],
      ['dup', 'label,a,b,a\n1,2,3,4\n'],
      ['pandas-index', ',label,a\n0,1,2\n'],
      ['semicolons', 'label;a;b\n1;2;3\n'],
      ['label-only', 'label\n1\n'],
      ['bad-and-binary', 'label,a\n1,x\n\u0000\n'],
    ];
    for (const [name, content, options = {}] of fixtures) {
      const file = tmp.write(`${name}.csv`, content);
      const reference = await outcome(file, options, 'csv-parse');
      expect(reference.ok, name).toBe(false);
      expect(await outcome(file, options, 'fast'), name).toEqual(reference);
      for (let chunkBytes = 1; chunkBytes <= 7; chunkBytes++) {
        expect(await outcome(file, options, 'fast', chunkBytes), `${name} in ${chunkBytes}-byte reads`).toEqual(
          await outcome(file, options, 'csv-parse', chunkBytes),
        );
      }
    }
  });

  it('files with label warnings: the same warnings, at the same lines, in reads of 1 to 7 bytes too', async () => {
    const ids = Array.from({ length: 41 }, (_, i) => `user-${i % 21},${i}`).join('\n');
    const fixtures: [string, string, LoadCsvOptions, string[]][] = [
      ['spellings', 'a,label\n1,1\n2,1.0\n3, 2\n4,"01"\n5,1\r\n6,1e0\n7,2.00\n8,3\n', {}, ['LABEL_SPELLINGS']],
      ['spellings-text', 'label,a\n1,1\n0.5,2\n\n1.0,3\n1,4\n', {}, ['LABEL_SPELLINGS']],
      ['spellings-given', 'label,a\n3,1\n0,2\n 3.0 ,3\n', { classes: [3, 0] }, ['LABEL_SPELLINGS']],
      ['ids', `id,a\n${ids}\n`, { label: 'id' }, ['MANY_CLASSES']],
      ['both', `label,a\n${Array.from({ length: 25 }, (_, i) => `${i},${i}`).join('\n')}\n"7.0",1\n`, {}, ['LABEL_SPELLINGS', 'MANY_CLASSES']],
      ['tiny', 'label,a\n1,1e-400\n1,-1e-400\n', {}, []],
    ];
    for (const [name, content, options, codes] of fixtures) {
      const file = tmp.write(`warn-${name}.csv`, content);
      const reference = await outcome(file, options, 'csv-parse');
      expect(reference.ok && reference.warnings.map((w) => w.code), name).toEqual(codes);
      expect(await outcome(file, options, 'fast'), name).toEqual(reference);
      for (let chunkBytes = 1; chunkBytes <= 7; chunkBytes++) {
        expect(await outcome(file, options, 'fast', chunkBytes), `${name} in ${chunkBytes}-byte reads`).toEqual(
          await outcome(file, options, 'csv-parse', chunkBytes),
        );
      }
    }
  });

  it('a file of many 1 MiB reads, odd rows spread through it, with the same progress reports', async () => {
    let seed = 7;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const width = 300;
    const odd = ['"7"', ' 8', '9 ', '1e2', '-0', '0.5', '"1\n"'];
    const lines = [`label,${Array.from({ length: width }, (_, i) => `p${i}`).join(',')}`];
    // About 3.5 MB, four 1 MiB reads: rows of plain numbers with an odd field in every 50th row, CRLF ends on some.
    for (let r = 0; r < 5000; r++) {
      const fields = [String(next() % 10)];
      for (let j = 0; j < width; j++) fields.push(String(next() % 5 === 0 ? next() % 256 : 0));
      if (r % 50 === 0) fields[1 + (next() % width)] = odd[next() % odd.length]!;
      lines.push(fields.join(','));
    }
    const file = tmp.write('big.csv', `${lines.join('\n')}\n\n`);
    const reference = await expectSameOutcome(file, {}, 65521);
    expect(reference.ok).toBe(true);
    expect(reference.progress.length).toBeGreaterThan(3);
    expect(reference.ok && reference.rows).toBe(5000);
  });
});
