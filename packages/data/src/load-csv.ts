import { createReadStream } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { CsvByteParser } from './csv-byte-parser.js';
import { CsvError } from './csv-error.js';
import { type CsvDataset, CsvRowReader } from './csv-row-reader.js';
import { fileError } from './file-error.js';
import { TextCheck } from './text-check.js';

export type { CsvDataset } from './csv-row-reader.js';

/** Which parser reads the file; see `LoadCsvOptions.parser`. */
export type CsvParserChoice = 'auto' | 'fast' | 'csv-parse';

export interface LoadCsvOptions {
  /**
   * The header name of the label column (default "label"); it may be any column. `null`: the
   * file has no labels and every column is a feature (Kaggle's test.csv).
   */
  label?: string | null;
  /**
   * Whether a missing label column is an error (default true). With false a file without it
   * loads unlabelled, so one call reads both Kaggle's train.csv and test.csv.
   */
  requireLabel?: boolean;
  /**
   * The label mapping to use instead of inferring one, e.g. a trained model's, so that class
   * indices match training. A label value not in it is an error naming the line.
   */
  classes?: readonly (string | number)[];
  /** Called as the file streams in (about once per MiB) and once at the end. */
  onProgress?: (progress: LoadProgress) => void;
  /**
   * Which parser splits the file into fields; the result, and every error, is the same with
   * each (tests hold them to it), only the speed differs. For tests and for bisecting a
   * suspected parser bug; leave it out otherwise.
   * - `'auto'` (default): the fast parser. Every file goes to it, since it reads anything
   *   csv-parse reads; the name leaves room to pick by file.
   * - `'fast'`: the byte parser of csv-byte-parser.ts: rows of plain numbers go from the
   *   file's bytes straight into float32, other rows through a port of csv-parse's loop.
   *   About 10× faster than csv-parse on Kaggle's train.csv.
   * - `'csv-parse'`: csv-parse 7 as a stream, every field a string first: the reference.
   */
  parser?: CsvParserChoice;
}

export interface LoadProgress {
  /** Data rows parsed so far. */
  rows: number;
  bytesRead: number;
  totalBytes: number;
}

/**
 * Bytes per read. Both parsers read the file in the same 1 MiB chunks, so that rows finish in
 * the same chunk and progress reports are the same.
 */
const READ_CHUNK = 1 << 20;

/**
 * Loads a CSV file with a header row into a float32 tensor, streaming it (the file is never
 * held as one string; values go straight into float32 chunks).
 *
 * The first non-blank line must be a header naming every column. Accepted: a UTF-8 byte
 * order mark, CRLF or LF line ends, quoted fields, blank lines (skipped), whitespace around
 * values: csv-parse's grammar, which the default parser reproduces byte for byte (see
 * `parser`). Every feature value must be a decimal number. Labels may be numbers or text:
 * whole numbers become classes sorted numerically, anything else classes sorted as strings
 * (see `LabelEncoder`), unless `classes` gives the mapping.
 *
 * Every problem a file can have rejects with a `CsvError` naming the file, the line and,
 * where one is to blame, the column, and saying what would fix it. What loads but looks like
 * a mistake (one class written as `1` and `1.0`; a label column with nearly a class per row)
 * is in the result's `warnings`.
 */
export async function loadCsv(file: string, options: LoadCsvOptions = {}): Promise<CsvDataset> {
  return loadCsvInChunks(file, options, READ_CHUNK);
}

/**
 * `loadCsv` reading `chunkBytes` at a time: for tests, since chunk boundaries are where a
 * streaming parser goes wrong. Not exported from the package.
 */
export async function loadCsvInChunks(file: string, options: LoadCsvOptions, chunkBytes: number): Promise<CsvDataset> {
  const opts = checkOptions(options);
  const totalBytes = await fileSize(file);
  if (totalBytes === 0) {
    throw new CsvError('EMPTY_FILE', { file }, 'the file is empty (0 bytes); a CSV needs a header row and at least one data row');
  }
  const reader = new CsvRowReader(file, opts);
  const text = new TextCheck(file);
  const onProgress = opts.onProgress;
  let bytesRead = 0;
  const progress = (bytes: number): void => {
    bytesRead += bytes;
    onProgress?.({ rows: reader.rows, bytesRead, totalBytes });
  };
  try {
    if (opts.parser === 'csv-parse') await readWithCsvParse(file, chunkBytes, reader, text, progress);
    else await readWithByteParser(file, chunkBytes, reader, text, progress);
  } catch (err) {
    throw reader.explain(err);
  }
  const dataset = reader.finish();
  onProgress?.({ rows: dataset.rows, bytesRead, totalBytes });
  return dataset;
}

/**
 * The reference path: the file through csv-parse as a stream. Each chunk is checked as text,
 * then parsed (csv-parse runs synchronously inside the write, so a chunk's rows are in before
 * the next chunk is checked), then reported.
 */
async function readWithCsvParse(file: string, chunkBytes: number, reader: CsvRowReader, text: TextCheck, progress: (bytes: number) => void): Promise<void> {
  async function* checkedChunks(): AsyncGenerator<Buffer> {
    for await (const chunk of createReadStream(file, { highWaterMark: chunkBytes })) {
      text.check(chunk as Buffer);
      yield chunk as Buffer;
      progress((chunk as Buffer).length);
    }
    text.end();
  }
  // Every record is consumed by on_record, which returns null so that csv-parse passes nothing on.
  const parser = parse({
    bom: true,
    // Spaces around values and around quoted fields (` "2" `) are dropped.
    trim: true,
    skip_empty_lines: true,
    // Row lengths are checked in onRecord, whose error can name the header's count.
    relax_column_count: true,
    on_record: (record: string[], info) => reader.onRecord(record, info.lines),
  });
  await pipeline(checkedChunks, parser, async (records: AsyncIterable<unknown>) => {
    for await (const _ of records);
  });
}

/**
 * The fast path: 1 MiB reads into one reused buffer, each checked as text and then parsed by
 * CsvByteParser, the few bytes it leaves moved to the front for the next read.
 */
async function readWithByteParser(file: string, chunkBytes: number, reader: CsvRowReader, text: TextCheck, progress: (bytes: number) => void): Promise<void> {
  const parser = new CsvByteParser(reader);
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    let buf = Buffer.allocUnsafe(chunkBytes + 64);
    let kept = 0;
    for (;;) {
      if (kept + chunkBytes > buf.length) {
        const grown = Buffer.allocUnsafe(kept + chunkBytes);
        buf.copy(grown, 0, 0, kept);
        buf = grown;
      }
      const { bytesRead } = await handle.read(buf, kept, chunkBytes, null);
      if (bytesRead === 0) break;
      text.check(buf.subarray(kept, kept + bytesRead));
      const filled = kept + bytesRead;
      const left = parser.parse(buf.subarray(0, filled), false);
      buf.copy(buf, 0, filled - left, filled);
      kept = left;
      progress(bytesRead);
    }
    text.end();
    parser.parse(buf.subarray(0, kept), true);
  } finally {
    await handle?.close();
  }
}

interface CheckedOptions {
  label: string | null;
  requireLabel: boolean;
  classes: readonly (string | number)[] | undefined;
  onProgress: ((progress: LoadProgress) => void) | undefined;
  parser: CsvParserChoice;
}

function checkOptions(options: LoadCsvOptions): CheckedOptions {
  const label = options.label === undefined ? 'label' : options.label;
  if (label !== null && (typeof label !== 'string' || label === '')) {
    throw new TypeError(`loadCsv: label must be a column name or null, got ${JSON.stringify(label)}`);
  }
  const requireLabel = options.requireLabel ?? true;
  if (typeof requireLabel !== 'boolean') throw new TypeError(`loadCsv: requireLabel must be true or false, got ${JSON.stringify(requireLabel)}`);
  if (label === null && options.requireLabel === true) {
    throw new TypeError('loadCsv: requireLabel is true but label is null; name the label column, or drop requireLabel');
  }
  const classes = options.classes;
  if (classes !== undefined) {
    if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === 'string' || (typeof c === 'number' && Number.isFinite(c)))) {
      throw new TypeError('loadCsv: classes must be a non-empty array of label values (numbers or strings), as the dataset of training returned them');
    }
    const keys = classes.map(String);
    const dup = keys.find((k, i) => keys.indexOf(k) !== i);
    if (dup !== undefined) throw new TypeError(`loadCsv: classes lists ${JSON.stringify(dup)} twice; each label value may appear once`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new TypeError('loadCsv: onProgress must be a function');
  }
  const parser = options.parser ?? 'auto';
  if (parser !== 'auto' && parser !== 'fast' && parser !== 'csv-parse') {
    throw new TypeError(`loadCsv: parser must be "auto", "fast" or "csv-parse", got ${JSON.stringify(parser)}`);
  }
  return { label, requireLabel, classes, onProgress: options.onProgress, parser };
}

async function fileSize(file: string): Promise<number> {
  try {
    const s = await stat(file);
    if (!s.isFile())
      throw new CsvError('NOT_A_FILE', { file }, `${resolve(file)} is ${s.isDirectory() ? 'a directory' : 'not a regular file'}; give the path of a .csv file`);
    return s.size;
  } catch (err) {
    throw fileError(file, err);
  }
}
