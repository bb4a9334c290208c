import asciichart from 'asciichart';
import type { EpochMetrics } from '@dlfs/model';

/** Epoch lines a training log keeps at most; the others are counted in one line at the end. */
export const MAX_EPOCH_LINES = 50;

/**
 * Progress for a terminal (one line rewritten in place) or a log (one line per epoch). With many
 * epochs the log keeps epoch 1, every k-th epoch (k round: 2, 5, 10, 20, 25, 50, 100, ...) and
 * the last, at most MAX_EPOCH_LINES lines, then says how many it left out; a terminal keeps at
 * most every tenth. Every epoch is in the history (--metrics FILE, the model file).
 */
export class Progress {
  private lastDraw = 0;
  private readonly live: boolean;
  /** The latest epoch line left out, shown after all if a message about that point follows. */
  private pending: string | undefined;
  private omitted = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly quiet: boolean,
  ) {
    this.live = Boolean(stream.isTTY) && !quiet;
  }

  iteration(i: number, total: number, epoch: number, loss: number): void {
    if (!this.live) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && i !== total) return;
    this.lastDraw = now;
    const width = 24;
    const filled = Math.round((i / total) * width);
    this.stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${' '.repeat(width - filled)}] iter ${i}/${total}  epoch ${epoch}  loss ${loss.toFixed(4)}`);
  }

  epoch(m: EpochMetrics, epochs: number): void {
    if (this.quiet) return;
    if (this.live) this.stream.write('\r\x1b[2K');
    const val = m.valAccuracy === null ? '' : `  val acc ${m.valAccuracy.toFixed(4)}`;
    const line =
      `epoch ${String(m.epoch).padStart(String(epochs).length)}/${epochs}  iter ${m.iteration}  loss ${m.loss.toFixed(4)}  train acc ` +
      `${m.trainAccuracy.toFixed(4)}${val}`;
    const step = epochStep(epochs, MAX_EPOCH_LINES, this.live ? 10 : 1);
    if (!epochShown(m.epoch, epochs, step)) {
      if (this.pending !== undefined) this.omitted++;
      this.pending = line;
      return;
    }
    if (this.pending !== undefined) this.omitted++;
    this.pending = undefined;
    this.stream.write(`${line}\n`);
    if (m.epoch === epochs && this.omitted > 0) {
      this.stream.write(
        `(${this.omitted} of ${epochs} epoch lines left out: the log shows epoch 1, every ${ordinal(step)} and the last; ` +
          '--metrics FILE writes every epoch, and the model file keeps them in training.history)\n',
      );
    }
  }

  message(text: string): void {
    if (this.quiet) return;
    if (this.live) this.stream.write('\r\x1b[2K');
    // A warning about this point in training follows the epoch it is about, even one the log left out.
    if (this.pending !== undefined) this.stream.write(`${this.pending}\n`);
    this.pending = undefined;
    this.stream.write(`${text}\n`);
  }
}

/**
 * The smallest round step k (1, 2, 5, 10, 20, 25, 50, 100, ...; at least `minStep`) for which
 * epoch 1, every k-th epoch and the last make at most `maxLines` lines.
 */
export function epochStep(epochs: number, maxLines: number, minStep = 1): number {
  for (let scale = 1; ; scale *= 10) {
    for (const m of scale === 1 ? [1, 2, 5] : [1, 2, 2.5, 5]) {
      const step = m * scale;
      if (step >= minStep && shownCount(epochs, step) <= Math.max(maxLines, 2)) return step;
    }
  }
}

/** Whether the log shows this epoch: the first, every step-th and the last. */
export function epochShown(epoch: number, epochs: number, step: number): boolean {
  return epoch === 1 || epoch % step === 0 || epoch === epochs;
}

function shownCount(epochs: number, step: number): number {
  let n = Math.floor(epochs / step);
  if (step > 1) n++;
  if (epochs % step !== 0 && epochs > 1) n++;
  return n;
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** At most `n` points of a series, evenly spaced, for a chart that fits a terminal. */
function thin(values: number[], n: number): number[] {
  if (values.length <= n) return values;
  return Array.from({ length: n }, (_, i) => values[Math.round((i * (values.length - 1)) / (n - 1))]!);
}

/** Terminal charts of loss and accuracy per epoch; with colour, train and validation share a chart. */
export function plotHistory(history: EpochMetrics[], color: boolean, width = 60): string {
  if (history.length < 2) return '';
  const fmt = (x: number): string => x.toFixed(3).padStart(7);
  const loss = thin(
    history.map((m) => m.loss),
    width,
  );
  const train = thin(
    history.map((m) => m.trainAccuracy),
    width,
  );
  const hasVal = history.every((m) => m.valAccuracy !== null);
  const val = hasVal
    ? thin(
        history.map((m) => m.valAccuracy!),
        width,
      )
    : undefined;
  let acc: string;
  if (val && color) {
    const plot = asciichart.plot([train, val], { height: 8, format: fmt, colors: [asciichart.default, asciichart.green] });
    acc = `accuracy per epoch (train: default colour, validation: green)\n${plot}`;
  } else {
    acc = `${val ? 'validation' : 'train'} accuracy per epoch\n${asciichart.plot(val ?? train, { height: 8, format: fmt })}`;
  }
  return `loss per epoch\n${asciichart.plot(loss, { height: 8, format: fmt })}\n\n${acc}\n`;
}
