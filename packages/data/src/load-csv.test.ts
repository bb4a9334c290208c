import { describe, expect, it } from 'vitest';
import { CsvError } from './csv-error.js';
import { type LoadCsvOptions, type LoadProgress, loadCsv } from './load-csv.js';
import { expectCsvError, useTempDir } from './test-support/index.js';

const tmp = useTempDir();

// Every test runs with both parsers: the fast byte parser (the default) and csv-parse, the reference.
describe.each(['fast', 'csv-parse'] as const)('with parser %s', (parser) => {
  const load = (file: string, options: LoadCsvOptions = {}) => loadCsv(file, { ...options, parser });

  describe('loadCsv reads', () => {
    it('a labelled file into float32 features, class indices and the label mapping', async () => {
      const file = tmp.write('basic.csv', 'label,a,b\n1,2,3\n0,4.5,-6\n1,1e2,0.1\n');
      const d = await load(file);
      expect(d.x.dtype).toBe('float32');
      expect(d.x.shape).toEqual([3, 2]);
      expect(Array.from(d.x.data)).toEqual([2, 3, 4.5, -6, 100, Math.fround(0.1)]);
      expect(Array.from(d.labels!)).toEqual([1, 0, 1]);
      expect(d.classes).toEqual([0, 1]);
      expect(d.featureNames).toEqual(['a', 'b']);
      expect(d.labelColumn).toBe('label');
      expect(d.rows).toBe(3);
      expect(d.file).toBe(file);
    });

    it('the label column wherever it is, under any name', async () => {
      const file = tmp.write('middle.csv', 'a,digit,b\n1,7,2\n3,5,4\n');
      const d = await load(file, { label: 'digit' });
      expect(Array.from(d.x.data)).toEqual([1, 2, 3, 4]);
      expect(d.featureNames).toEqual(['a', 'b']);
      expect(d.classes).toEqual([5, 7]);
      expect(Array.from(d.labels!)).toEqual([1, 0]);
    });

    it('a file without labels with label: null, every column a feature (Kaggle test.csv)', async () => {
      const file = tmp.write('test.csv', 'pixel0,pixel1\n0,255\n12,0\n');
      const d = await load(file, { label: null });
      expect(d.x.shape).toEqual([2, 2]);
      expect(Array.from(d.x.data)).toEqual([0, 255, 12, 0]);
      expect(d.labels).toBeUndefined();
      expect(d.classes).toBeUndefined();
      expect(d.labelColumn).toBeUndefined();
      expect(d.featureNames).toEqual(['pixel0', 'pixel1']);
    });

    it('a file without the label column as unlabelled when requireLabel is false', async () => {
      const file = tmp.write('unlabelled.csv', 'pixel0,pixel1\n0,255\n');
      const d = await load(file, { requireLabel: false });
      expect(d.labels).toBeUndefined();
      expect(d.featureNames).toEqual(['pixel0', 'pixel1']);
    });

    it('a BOM, CRLF line ends, quoted fields, spaces around values and trailing blank lines', async () => {
      const file = tmp.write('messy.csv', '\uFEFFlabel,"a", b \r\n 1 , "2",3 \r\n0,4, " 5 "\r\n\r\n   \r\n\r\n');
      const d = await load(file);
      expect(d.featureNames).toEqual(['a', 'b']);
      expect(Array.from(d.x.data)).toEqual([2, 3, 4, 5]);
      expect(Array.from(d.labels!)).toEqual([1, 0]);
    });

    it('blank lines between rows and a last row without a line end', async () => {
      const file = tmp.write('gaps.csv', '\nlabel,a\n\n1,2\n\n0,3');
      const d = await load(file);
      expect(Array.from(d.x.data)).toEqual([2, 3]);
    });

    it('quoted text labels with commas and line breaks', async () => {
      const file = tmp.write('text-labels.csv', 'label,a\n"cat, big",1\n"ant\nqueen",2\nbee,3\n"cat, big",4\n');
      const d = await load(file);
      expect(d.classes).toEqual(['ant\nqueen', 'bee', 'cat, big']);
      expect(Array.from(d.labels!)).toEqual([2, 0, 1, 2]);
    });

    it('whole-number labels sorted numerically, so 10 comes after 9', async () => {
      const file = tmp.write('numeric-labels.csv', 'label,a\n10,1\n2,1\n9,1\n-1,1\n2,1\n');
      const d = await load(file);
      expect(d.classes).toEqual([-1, 2, 9, 10]);
      expect(Array.from(d.labels!)).toEqual([3, 1, 2, 0, 1]);
    });

    it('text labels sorted lexicographically, and non-integer labels as text', async () => {
      const words = await load(tmp.write('words.csv', 'label,a\ncat,1\nant,2\nBee,3\n'));
      expect(words.classes).toEqual(['Bee', 'ant', 'cat']);
      expect(Array.from(words.labels!)).toEqual([2, 1, 0]);
      const halves = await load(tmp.write('halves.csv', 'label,a\n0.5,1\n1,2\n'));
      expect(halves.classes).toEqual(['0.5', '1']);
    });

    it('labels through a given mapping, so indices match a trained model', async () => {
      const file = tmp.write('given.csv', 'label,a\n3,1\n0,2\n3.0,3\n');
      const d = await load(file, { classes: [3, 2, 1, 0] });
      expect(d.classes).toEqual([3, 2, 1, 0]);
      expect(Array.from(d.labels!)).toEqual([0, 3, 0]);
      const words = await load(tmp.write('given-words.csv', 'label,a\ncat,1\ndog,2\n'), { classes: ['dog', 'cat', 'eel'] });
      expect(Array.from(words.labels!)).toEqual([1, 0]);
      expect(words.classes).toEqual(['dog', 'cat', 'eel']);
    });

    it('many rows across read chunks and row-buffer chunks, value for value', async () => {
      // 3,000 rows of 785 columns (about 3.6 MB): several 1 MiB reads and several row chunks.
      const rows = 3000;
      const width = 784;
      let seed = 12345;
      const next = (): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed >>> 8;
      };
      const expected = new Float32Array(rows * width);
      const labels = new Int32Array(rows);
      const lines = [`label,${Array.from({ length: width }, (_, i) => `pixel${i}`).join(',')}`];
      for (let r = 0; r < rows; r++) {
        labels[r] = next() % 10;
        const fields = [String(labels[r])];
        for (let j = 0; j < width; j++) {
          const v = next() % 5 === 0 ? next() % 256 : 0;
          expected[r * width + j] = v;
          fields.push(String(v));
        }
        lines.push(fields.join(','));
      }
      const file = tmp.write('many.csv', `${lines.join('\n')}\n`);
      const progress: LoadProgress[] = [];
      const d = await load(file, { onProgress: (p) => progress.push(p) });
      expect(d.x.shape).toEqual([rows, width]);
      // A plain loop: toEqual on millions of elements takes seconds.
      const mismatch = expected.findIndex((v, i) => d.x.data[i] !== v);
      expect(mismatch, `first differing value at ${mismatch}`).toBe(-1);
      expect(Array.from(d.labels!)).toEqual(Array.from(labels));
      expect(d.classes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(progress.length).toBeGreaterThan(2);
      const last = progress.at(-1)!;
      expect(last).toEqual({ rows, bytesRead: last.totalBytes, totalBytes: last.totalBytes });
      for (let i = 1; i < progress.length; i++) expect(progress[i]!.bytesRead).toBeGreaterThanOrEqual(progress[i - 1]!.bytesRead);
    });

    it('non-ASCII UTF-8 header names and labels', async () => {
      const d = await load(tmp.write('utf8.csv', 'étiquette,größe\nchat,1\nchien,2\n'), { label: 'étiquette' });
      expect(d.featureNames).toEqual(['größe']);
      expect(d.classes).toEqual(['chat', 'chien']);
    });
  });

  describe('loadCsv refuses, with a CsvError naming file, line and column', () => {
    it('a file that does not exist', async () => {
      const file = tmp.path('nope.csv');
      await expectCsvError(load(file), { code: 'FILE_NOT_FOUND', file, line: undefined, says: ['no such file', file, 'check the path'] });
    });

    it('a directory', async () => {
      const file = tmp.path('');
      await expectCsvError(load(file), { code: 'NOT_A_FILE', file, line: undefined, says: ['is a directory'] });
    });

    it('an empty file', async () => {
      const file = tmp.write('empty.csv', '');
      await expectCsvError(load(file), { code: 'EMPTY_FILE', file, line: undefined, says: ['empty (0 bytes)', 'header row'] });
    });

    it('a file of blank lines', async () => {
      const file = tmp.write('blank.csv', '\n\r\n   \n');
      await expectCsvError(load(file), { code: 'EMPTY_FILE', file, line: undefined, says: ['only blank lines'] });
    });

    it('a header without data rows', async () => {
      const file = tmp.write('header-only.csv', 'label,a,b\n\n');
      await expectCsvError(load(file), { code: 'NO_DATA_ROWS', file, line: 1, says: ['3 columns', 'no data rows'] });
    });

    it('a first row of numbers instead of a header', async () => {
      const file = tmp.write('no-header.csv', '1,0,0,255\n0,0,12,0\n');
      await expectCsvError(load(file), { code: 'NO_HEADER', file, line: 1, says: ['"1", "0", "0", "255"', 'header row', 'label,pixel0'] });
    });

    it('a row with too few or too many fields, with the counts', async () => {
      const few = tmp.write('few.csv', 'label,a,b\n1,2,3\n0,4\n');
      await expectCsvError(load(few), { code: 'FIELD_COUNT', file: few, line: 3, says: ['2 fields', 'header has 3 columns'] });
      const many = tmp.write('many-fields.csv', 'label,a,b\r\n1,2,3\r\n\r\n0,4,5,6\r\n');
      await expectCsvError(load(many), { code: 'FIELD_COUNT', file: many, line: 4, says: ['4 fields', 'header has 3 columns'] });
    });

    it('a value that is not a number, showing it', async () => {
      const file = tmp.write('text.csv', 'label,a,b\n1,2,3\n0,4,abc\n');
      await expectCsvError(load(file), {
        code: 'NOT_A_NUMBER',
        file,
        line: 3,
        column: { name: 'b', index: 3 },
        says: ['"abc" is not a number', 'decimal numbers'],
      });
    });

    it('NaN, Infinity, hexadecimal and a decimal comma', async () => {
      for (const [value, says] of [
        ['NaN', '"NaN" is not a number'],
        ['-Infinity', '"-Infinity" is not a number'],
        ['0x1A', '"0x1A" is not a number'],
        ['"0,5"', 'with a dot'],
        ['1e39', 'too large for float32'],
      ] as const) {
        const file = tmp.write('bad-number.csv', `label,a,b\n1,2,3\n0,${value},3\n`);
        await expectCsvError(load(file), { code: 'NOT_A_NUMBER', file, line: 3, column: { name: 'a', index: 2 }, says: [says] });
      }
    });

    it('a text column when there is no label column, suggesting --label', async () => {
      const file = tmp.write('text-first.csv', 'digit,a\nseven,2\n');
      await expectCsvError(load(file, { label: null }), {
        code: 'NOT_A_NUMBER',
        file,
        line: 2,
        column: { name: 'digit', index: 1 },
        says: ['"seven"', '--label "digit"'],
      });
    });

    it('an empty value, quoted or not, and an empty label', async () => {
      const file = tmp.write('hole.csv', 'label,a,b\n1,2,3\n0,,3\n');
      await expectCsvError(load(file), { code: 'EMPTY_VALUE', file, line: 3, column: { name: 'a', index: 2 }, says: ['empty', 'missing values'] });
      const quoted = tmp.write('quoted-hole.csv', 'label,a,b\n1,2," "\n');
      await expectCsvError(load(quoted), { code: 'EMPTY_VALUE', file: quoted, line: 2, column: { name: 'b', index: 3 } });
      const label = tmp.write('no-label.csv', 'a,label\n1,2\n3,\n');
      await expectCsvError(load(label), { code: 'EMPTY_VALUE', file: label, line: 3, column: { name: 'label', index: 2 }, says: ['label is empty'] });
    });

    it('a missing label column, listing the first columns and suggesting --label', async () => {
      const header = Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(',');
      const file = tmp.write('kaggle-test.csv', `${header}\n${'0,'.repeat(783)}0\n`);
      await expectCsvError(load(file), {
        code: 'MISSING_LABEL_COLUMN',
        file,
        line: 1,
        says: ['no label column "label"', '"pixel0", "pixel1", "pixel2", "pixel3", "pixel4", "pixel5", … (784 columns)', '--label', 'label: null'],
      });
      const cased = tmp.write('cased.csv', 'Label,a\n1,2\n');
      await expectCsvError(load(cased), { code: 'MISSING_LABEL_COLUMN', file: cased, line: 1, says: ['Did you mean "Label"?'] });
    });

    it('a label outside the given classes', async () => {
      const file = tmp.write('unknown-label.csv', 'label,a\n1,2\n7,3\n');
      await expectCsvError(load(file, { classes: [0, 1, 2] }), {
        code: 'UNKNOWN_LABEL',
        file,
        line: 3,
        column: { name: 'label', index: 1 },
        says: ['"7"', '3 classes', '0, 1, 2'],
      });
    });

    it('an unclosed quote, at the line of the row it opens in', async () => {
      const file = tmp.write('unclosed.csv', 'label,a,b\n1,2,3\n0,"4,5\n1,2,3\n');
      await expectCsvError(load(file), { code: 'UNCLOSED_QUOTE', file, line: 3, column: { name: 'a', index: 2 }, says: ['never closed', 'closing quote'] });
    });

    it('a stray quote inside or after a value', async () => {
      const after = tmp.write('quote-after.csv', 'label,a,b\n1,2,3\n0,"4"x,5\n');
      await expectCsvError(load(after), { code: 'BAD_QUOTE', file: after, line: 3, column: { name: 'a', index: 2 }, says: ['closing quote'] });
      const inside = tmp.write('quote-inside.csv', 'label,a,b\n1,2,3\n0,4"x",5\n');
      await expectCsvError(load(inside), { code: 'BAD_QUOTE', file: inside, line: 3, column: { name: 'a', index: 2 }, says: ['unquoted value'] });
    });

    it('binary files: NUL bytes, invalid UTF-8, UTF-16', async () => {
      const nul = tmp.write('nul.csv', Buffer.from('label,a\n1,2\n0,\u00003\n', 'latin1'));
      await expectCsvError(load(nul), { code: 'NOT_CSV', file: nul, line: 3, says: ['NUL byte', 'does not look like a CSV'] });
      const gzip = tmp.write('gz.csv', Buffer.from([0x1f, 0x8b, 0x08, 0x08, 0x41, 0x42]));
      await expectCsvError(load(gzip), {
        code: 'NOT_CSV',
        file: gzip,
        line: 1,
        says: ['invalid UTF-8 starting with byte 0x8b (at byte offset 1)', 'does not look like a CSV'],
      });
      const latin1 = tmp.write('latin1.csv', Buffer.from('label,a\nb\xe9b\xe9,2\n', 'latin1'));
      await expectCsvError(load(latin1), { code: 'NOT_CSV', file: latin1, line: 2, says: ['byte 0xe9 (at byte offset 9)', 'save it as UTF-8'] });
      const utf16 = tmp.write('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('label,a\n1,2\n', 'utf16le')]));
      await expectCsvError(load(utf16), { code: 'NOT_CSV', file: utf16, line: 1, says: ['UTF-16'] });
    });

    it('duplicate and empty column names', async () => {
      const dup = tmp.write('dup.csv', 'label,a,b,a\n1,2,3,4\n');
      await expectCsvError(load(dup), {
        code: 'DUPLICATE_COLUMN',
        file: dup,
        line: 1,
        column: { name: 'a', index: 4 },
        says: ['column 2 and column 4', 'unique'],
      });
      const index = tmp.write('pandas-index.csv', ',label,a\n0,1,2\n');
      await expectCsvError(load(index), { code: 'EMPTY_COLUMN_NAME', file: index, line: 1, column: { name: '', index: 1 }, says: ['no name', 'index=False'] });
    });

    it('a file separated by semicolons, as European spreadsheets export it', async () => {
      const file = tmp.write('semicolons.csv', 'label;a;b\n1;2;3\n');
      await expectCsvError(load(file), { code: 'MALFORMED', file, line: 1, says: ['"label;a;b"', 'separate values with ";"', 'commas'] });
    });

    it('a label column and nothing else', async () => {
      const file = tmp.write('label-only.csv', 'label\n1\n');
      await expectCsvError(load(file), { code: 'NO_FEATURES', file, line: 1, says: ['at least one feature column'] });
    });

    it('bad options with a TypeError before reading', async () => {
      const file = tmp.write('ok.csv', 'label,a\n1,2\n');
      await expect(load(file, { label: '' })).rejects.toThrow(TypeError);
      await expect(load(file, { label: null, requireLabel: true })).rejects.toThrow(/requireLabel is true but label is null/);
      await expect(load(file, { classes: [] })).rejects.toThrow(/non-empty array/);
      await expect(load(file, { classes: [1, '1'] })).rejects.toThrow(/"1" twice/);
    });

    it('errors are CsvError instances with a name, not bare exceptions', async () => {
      const err = await load(tmp.path('missing.csv')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CsvError);
      expect((err as CsvError).name).toBe('CsvError');
    });
  });
});

describe('loadCsv options', () => {
  it('refuses an unknown parser with a TypeError, and reads with the default one', async () => {
    const file = tmp.write('parser.csv', 'label,a\n1,2\n');
    await expect(loadCsv(file, { parser: 'pandas' as never })).rejects.toThrow(/parser must be "auto", "fast" or "csv-parse"/);
    expect(Array.from((await loadCsv(file, { parser: 'auto' })).x.data)).toEqual([2]);
  });
});
