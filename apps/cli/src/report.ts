import asciichart from 'asciichart';
import type { EpochMetrics } from '@dlfs/model';

/** Progress for a terminal (one line rewritten in place) or a log (one line per epoch). */
export class Progress {
  private lastDraw = 0;
  private readonly live: boolean;

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
    // On a terminal only every tenth epoch (and the first and last) stays on screen.
    if (this.live && m.epoch !== 1 && m.epoch % 10 !== 0 && m.epoch !== epochs) return;
    this.stream.write(
      `epoch ${String(m.epoch).padStart(String(epochs).length)}/${epochs}  iter ${m.iteration}  loss ${m.loss.toFixed(4)}  train acc ` +
        `${m.trainAccuracy.toFixed(4)}${val}\n`,
    );
  }

  message(text: string): void {
    if (this.quiet) return;
    if (this.live) this.stream.write('\r\x1b[2K');
    this.stream.write(`${text}\n`);
  }
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
