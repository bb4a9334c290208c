/**
 * A decimal number as a CSV field writes it ("3", " -2.5 ", "1e3", ".5"), or NaN. Unlike
 * `Number` it refuses the empty and blank strings (Number gives 0), "Infinity", and
 * hexadecimal, binary and octal ("0x1A"), which no CSV writer means as numbers.
 */
export function parseDecimal(text: string): number {
  const v = Number(text);
  // v - v is 0 exactly when v is finite; NaN and ±Infinity give NaN.
  if (v - v !== 0) return NaN;
  if (v === 0 && text !== '0' && text.trim() === '') return NaN;
  if (text.length > 2 && isRadixPrefixed(text)) return NaN;
  return v;
}

/**
 * True when `text` is a decimal number beyond float64's range ("1e400", "-1e99999", 400 digits):
 * parseDecimal gives NaN for it as for text, but it is a number, only too large.
 */
export function isHugeDecimal(text: string): boolean {
  const v = Number(text);
  // Number reads only decimals, "Infinity" and radix-prefixed integers as ±Infinity.
  return (v === Infinity || v === -Infinity) && !text.includes('Infinity') && !isRadixPrefixed(text);
}

/** True for "0x…", "0b…", "0o…" (after leading whitespace), which Number reads as whole numbers. */
function isRadixPrefixed(text: string): boolean {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  if (text.charCodeAt(i) !== 48) return false;
  const c = text.charCodeAt(i + 1) | 32; // lower-cases the letter
  return c === 120 || c === 98 || c === 111; // x, b, o
}
