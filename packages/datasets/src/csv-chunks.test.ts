import { describe, expect, it } from 'vitest';
import { CsvChunks, MAX_KAGGLE_ROW_BYTES } from './csv-chunks.js';

function collector(): { chunks: string[]; sink: (chunk: Uint8Array) => Promise<void> } {
  const chunks: string[] = [];
  // Copy: the writer reuses its buffer after the sink resolves.
  return { chunks, sink: async (chunk) => void chunks.push(Buffer.from(chunk).toString('latin1')) };
}

describe('CsvChunks', () => {
  it('encodes whole numbers 0..999 in decimal', async () => {
    const { chunks, sink } = collector();
    const csv = new CsvChunks(sink);
    await csv.ensure(64);
    for (const n of [0, 7, 10, 99, 100, 255, 999]) {
      csv.small(n);
      csv.text(' ');
    }
    await csv.end();
    expect(chunks.join('')).toBe('0 7 10 99 100 255 999 ');
  });

  it('writes byte rows with and without a leading comma', async () => {
    const { chunks, sink } = collector();
    const csv = new CsvChunks(sink);
    await csv.ensure(64);
    csv.small(3);
    csv.bytes(Uint8Array.of(0, 128, 255), true);
    csv.newline();
    csv.bytes(Uint8Array.of(1, 2), false);
    csv.newline();
    await csv.end();
    expect(chunks.join('')).toBe('3,0,128,255\n1,2\n');
  });

  it('hands over chunks no larger than its buffer, and the same text in the end', async () => {
    const { chunks, sink } = collector();
    const csv = new CsvChunks(sink, 10);
    let expected = '';
    for (let i = 0; i < 20; i++) {
      await csv.ensure(4);
      csv.small(i * 7);
      csv.newline();
      expected += `${i * 7}\n`;
    }
    await csv.end();
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(10);
    expect(chunks.join('')).toBe(expected);
    expect(csv.written).toBe(expected.length);
  });

  it('refuses a reservation bigger than a chunk', async () => {
    const csv = new CsvChunks(async () => undefined, 10);
    await expect(csv.ensure(11)).rejects.toThrow(/11 bytes do not fit a 10-byte chunk/);
  });

  it('reserves enough for the longest Kaggle row: 255 everywhere', () => {
    expect(MAX_KAGGLE_ROW_BYTES).toBeGreaterThanOrEqual('255,'.repeat(785).length);
  });
});
