/**
 * A canvas that draws at the device's pixel ratio and redraws when its box changes size:
 * `draw(ctx, width, height, color)` gets CSS pixels and a resolver of the page's custom properties.
 */
export function liveCanvas(
  canvas: HTMLCanvasElement,
  draw: (ctx: CanvasRenderingContext2D, width: number, height: number, color: (c: string) => string) => void,
): () => void {
  let frame = 0;
  const paint = (): void => {
    frame = 0;
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const hgt = canvas.clientHeight;
    if (w === 0 || hgt === 0) return;
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(hgt * ratio);
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    const style = getComputedStyle(canvas);
    draw(ctx, w, hgt, (c) => (c.startsWith('--') ? style.getPropertyValue(c).trim() || '#333' : c));
  };
  const schedule = (): void => {
    if (frame === 0) frame = requestAnimationFrame(paint);
  };
  new ResizeObserver(schedule).observe(canvas);
  return schedule;
}
