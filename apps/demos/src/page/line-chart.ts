import { formatTick, niceTicks } from './chart-math.js';

export interface Series {
  name: string;
  /** A CSS custom property of the page (--loss) or a colour. */
  color: string;
  width?: number;
  /** Draw each point as a dot instead of joining them (the raw mini-batch losses). */
  dots?: boolean;
}

export interface ChartOptions {
  series: Series[];
  /** Fixed y range; otherwise fitted to the data from 0. */
  yRange?: [number, number];
  yFormat?: (v: number) => string;
  /** Lowest top of the x axis, so the first points do not fill the width. */
  minX?: number;
  /** A dashed level line across the chart, such as chance accuracy. */
  guide?: { y: number; color: string };
}

/**
 * A small line chart on a canvas that redraws at the device's pixel ratio and follows its box's
 * size. Data come as flat [x0, y0, x1, y1, ...] arrays per series and may grow.
 */
export class LineChart {
  private readonly data: number[][];
  private frame = 0;
  /** The x axis reaches at least this far: another chart's progress, to keep the two aligned. */
  private reach = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly opts: ChartOptions,
  ) {
    this.data = opts.series.map(() => []);
    new ResizeObserver(() => this.schedule()).observe(canvas);
  }

  append(series: number, points: ArrayLike<number>): void {
    const target = this.data[series]!;
    for (let i = 0; i < points.length; i++) target.push(points[i]!);
    this.schedule();
  }

  clear(): void {
    for (const d of this.data) d.length = 0;
    this.reach = 0;
    this.schedule();
  }

  extendX(x: number): void {
    if (x <= this.reach) return;
    this.reach = x;
    this.schedule();
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const { canvas, opts } = this;
    const ratio = window.devicePixelRatio || 1;
    const cssWidth = canvas.clientWidth;
    const cssHeight = canvas.clientHeight;
    if (cssWidth === 0 || cssHeight === 0) return;
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    const style = getComputedStyle(canvas);
    const color = (c: string): string => (c.startsWith('--') ? style.getPropertyValue(c).trim() || '#333' : c);
    const ink = color('--muted');
    const grid = color('--rule');
    const font = `12px ${style.fontFamily}`;

    let maxX = Math.max(opts.minX ?? 1, this.reach);
    let maxY = 0;
    for (const d of this.data) {
      for (let i = 0; i < d.length; i += 2) {
        if (d[i]! > maxX) maxX = d[i]!;
        if (Number.isFinite(d[i + 1]!) && d[i + 1]! > maxY) maxY = d[i + 1]!;
      }
    }
    const [y0, y1] = opts.yRange ?? [0, maxY > 0 ? maxY * 1.05 : 1];
    const left = 44;
    const right = 12;
    const top = 10;
    const bottom = 24;
    const w = cssWidth - left - right;
    const hgt = cssHeight - top - bottom;
    const px = (x: number): number => left + (x / maxX) * w;
    const py = (y: number): number => top + hgt - ((Math.min(Math.max(y, y0), y1) - y0) / (y1 - y0)) * hgt;

    ctx.font = font;
    ctx.lineWidth = 1;
    ctx.strokeStyle = grid;
    ctx.fillStyle = ink;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of niceTicks(y0, y1, 4)) {
      ctx.beginPath();
      ctx.moveTo(left, py(t) + 0.5);
      ctx.lineTo(left + w, py(t) + 0.5);
      ctx.stroke();
      ctx.fillText((opts.yFormat ?? formatTick)(t), left - 6, py(t));
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of niceTicks(0, maxX, Math.max(2, Math.floor(w / 90)))) ctx.fillText(formatTick(t), px(t), top + hgt + 6);

    opts.series.forEach((s, k) => {
      const d = this.data[k]!;
      ctx.strokeStyle = color(s.color);
      ctx.fillStyle = color(s.color);
      ctx.lineWidth = s.width ?? 2;
      if (s.dots) {
        // Thousands of raw losses: one small square per pixel column is plenty.
        const stride = Math.max(1, Math.floor(d.length / 2 / w)) * 2;
        for (let i = 0; i < d.length; i += stride) ctx.fillRect(px(d[i]!) - 1, py(d[i + 1]!) - 1, 2, 2);
        return;
      }
      ctx.beginPath();
      const stride = Math.max(1, Math.floor(d.length / 2 / (2 * w))) * 2;
      for (let i = 0; i < d.length; i += stride) {
        if (i === 0) ctx.moveTo(px(d[i]!), py(d[i + 1]!));
        else ctx.lineTo(px(d[i]!), py(d[i + 1]!));
      }
      if (d.length >= 2) ctx.lineTo(px(d[d.length - 2]!), py(d[d.length - 1]!));
      ctx.stroke();
    });
    if (opts.guide !== undefined) {
      ctx.strokeStyle = color(opts.guide.color);
      ctx.lineWidth = 1;
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(left, py(opts.guide.y) + 0.5);
      ctx.lineTo(left + w, py(opts.guide.y) + 0.5);
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }
}
