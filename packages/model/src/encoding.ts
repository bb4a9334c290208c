import CRC32 from 'crc-32';
import type { TypedArray } from '@dlfs/tensor';

// Model weights travel as base64 of their little-endian bytes: exact, compact, and the same
// bytes for the same numbers, so a model file is byte-identical across runs. btoa/atob exist in
// Node 20 and in browsers alike.

export function encodeFloats(data: TypedArray): string {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Decodes base64 into `bytesPerElement`-sized floats; returns undefined when it is not valid base64. */
export function decodeBytes(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** CRC-32 (IEEE, as zlib) of the text's UTF-8 bytes, as 8 hex digits: detects damage and hand edits, not attackers. */
export function crc32(text: string): string {
  return (CRC32.buf(new TextEncoder().encode(text)) >>> 0).toString(16).padStart(8, '0');
}
