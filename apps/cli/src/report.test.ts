import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochMetrics } from '@dlfs/model';
import { describe, expect, it } from 'vitest';
import { epochShown, epochStep, MAX_EPOCH_LINES, Progress } from './report.js';
import { dlfs, tempDir } from './test-support/run-dlfs.js';

/** A log stream (not a terminal) that keeps what is written. */
function logStream(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = {
    isTTY: false,
    write: (s: string) => {
      text += s;
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

const metrics = (epoch: number): EpochMetrics => ({ epoch, iteration: 13 * epoch, loss: 0.5, trainAccuracy: 0.9, valAccuracy: 0.8 });

describe('epochStep', () => {
  it('keeps every epoch up to the limit, then the smallest round step that fits', () => {
    expect(epochStep(1, 50)).toBe(1);
    expect(epochStep(50, 50)).toBe(1);
    // 51 epochs: epoch 1, 2, 4, ..., 50 and 51 make 27 lines.
    expect(epochStep(51, 50)).toBe(2);
    expect(epochStep(100, 50)).toBe(5);
    // 10,000 iterations on 1,350 rows, batch 100: 770 epochs, shown every 20th (40 lines).
    expect(epochStep(770, 50)).toBe(20);
    expect(epochStep(1200, 50)).toBe(25);
    expect(epochStep(100_000, 50)).toBe(2500);
    // A terminal shows at most every tenth, as before.
    expect(epochStep(24, 50, 10)).toBe(10);
    expect(epochStep(770, 50, 10)).toBe(20);
  });

  it('never shows more than the limit, and always the first and last epoch', () => {
    for (const epochs of [1, 2, 49, 50, 51, 99, 100, 101, 249, 250, 251, 770, 999, 1001, 4321, 25_000]) {
      const step = epochStep(epochs, MAX_EPOCH_LINES);
      let shown = 0;
      for (let e = 1; e <= epochs; e++) if (epochShown(e, epochs, step)) shown++;
      expect(shown, `${epochs} epochs, step ${step}`).toBeLessThanOrEqual(MAX_EPOCH_LINES);
      if (epochs <= MAX_EPOCH_LINES) expect(shown).toBe(epochs);
      expect(epochShown(1, epochs, step) && epochShown(epochs, epochs, step)).toBe(true);
    }
  });
});

describe('Progress on a log', () => {
  it('writes at most 50 epoch lines for 770 epochs, and says how many it left out and where they are', () => {
    const log = logStream();
    const progress = new Progress(log.stream, false);
    for (let e = 1; e <= 770; e++) progress.epoch(metrics(e), 770);
    const lines = log.text().trimEnd().split('\n');
    const epochLines = lines.filter((l) => l.startsWith('epoch '));
    expect(epochLines).toHaveLength(40);
    expect(epochLines[0]).toMatch(/^epoch {3}1\/770 {2}iter 13 /);
    expect(epochLines[1]).toMatch(/^epoch {2}20\/770 /);
    expect(epochLines.at(-1)).toMatch(/^epoch 770\/770 /);
    expect(lines.at(-1)).toBe(
      '(730 of 770 epoch lines left out: the log shows epoch 1, every 20th and the last; --metrics FILE writes every epoch, and the model file keeps ' +
        'them in training.history)',
    );
  });

  it('shows the epoch a warning follows, even one it would leave out', () => {
    const log = logStream();
    const progress = new Progress(log.stream, false);
    for (let e = 1; e <= 4; e++) progress.epoch(metrics(e), 100);
    progress.message('warning: accuracy after epoch 4 is 10.0%, still near chance');
    for (let e = 5; e <= 100; e++) progress.epoch(metrics(e), 100);
    const lines = log.text().trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      expect.stringMatching(/^epoch {3}1\/100 /),
      expect.stringMatching(/^epoch {3}4\/100 /),
      'warning: accuracy after epoch 4 is 10.0%, still near chance',
    ]);
    expect(lines.filter((l) => l.startsWith('epoch '))).toHaveLength(22);
    expect(lines.at(-1)).toMatch(/^\(78 of 100 epoch lines left out: the log shows epoch 1, every 5th and the last;/);
  });

  it('writes nothing with quiet (--json)', () => {
    const log = logStream();
    const progress = new Progress(log.stream, true);
    for (let e = 1; e <= 770; e++) progress.epoch(metrics(e), 770);
    progress.message('loading');
    expect(log.text()).toBe('');
  });
});

describe('dlfs train with many short epochs', () => {
  it('keeps the log to at most 50 epoch lines, and every epoch in --metrics', () => {
    const dir = tempDir();
    // 400 points, 360 for training in 7 batches of 50: 1,000 epochs of 7 iterations.
    const lines = ['x,y,side'];
    for (let i = 0; i < 400; i++) {
      const x = ((i * 37) % 100) / 100;
      const y = ((i * 61) % 100) / 100;
      lines.push(`${x},${y},${x + y > 1 ? 'above' : 'below'}`);
    }
    writeFileSync(join(dir, 'points.csv'), `${lines.join('\n')}\n`);
    const args = ['train', '--data', 'points.csv', '--label', 'side', '--hidden', '8', '--batch', '50', '--epochs', '1000', '--out', 'points.json'];
    const r = dlfs([...args, '--metrics', 'metrics.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const log = r.stderr.trimEnd().split('\n');
    const epochs = log.flatMap((line, i) => {
      const m = /^epoch +(\d+)\/1000 {2}iter (\d+) /.exec(line);
      return m ? [{ epoch: Number(m[1]), iteration: Number(m[2]), next: log[i + 1] ?? '' }] : [];
    });
    expect(epochs.length).toBeLessThanOrEqual(50);
    expect(epochs[0]).toMatchObject({ epoch: 1, iteration: 7 });
    expect(epochs.at(-1)).toMatchObject({ epoch: 1000, iteration: 7000 });
    // Epoch 1, every 25th and the last; any other only as the context of a warning that follows it.
    for (const e of epochs) if (e.epoch !== 1 && e.epoch % 25 !== 0) expect(e.next, `epoch ${e.epoch}`).toMatch(/^warning: /);
    expect(epochs.filter((e) => e.epoch % 25 === 0)).toHaveLength(40);
    expect(r.stderr).toMatch(
      new RegExp(
        `^\\(${1000 - epochs.length} of 1000 epoch lines left out: the log shows epoch 1, every 25th and the last; --metrics FILE writes every epoch`,
        'm',
      ),
    );
    expect(r.stderr.split('\n').length).toBeLessThan(60);
    expect(JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')).history).toHaveLength(1000);
    expect(JSON.parse(readFileSync(join(dir, 'points.json'), 'utf8')).training.history).toHaveLength(1000);
  });
});
