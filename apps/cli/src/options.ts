import os from 'node:os';
import { type AugmentOptions, parseAugment } from '@dlfs/data';
import { MAX_THREADS } from '@dlfs/tensor';
import { UsageError } from './errors.js';

// Parsers for flag values: each names the flag and what it accepts.

export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number >= 1, got "${value}"`);
    return n;
  };
}

export function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a number > 0, got "${value}"`);
    return n;
  };
}

export function fraction(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1)
      throw new UsageError(`${flag} must be a fraction in [0, 1), such as 0.1, got "${value}"`);
    return n;
  };
}

export function seed(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
    return n;
  };
}

export function oneOf<T extends string>(flag: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got "${value}"`);
    return value as T;
  };
}

/** --init: a standard deviation, or xavier / he. */
export function init(value: string): number | 'xavier' | 'he' {
  if (value === 'xavier' || value === 'he') return value;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--init must be a standard deviation > 0 (such as 0.01), xavier or he, got "${value}"`);
  return n;
}

/** Collects a repeatable flag. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** --input-shape: "64" or "1x28x28" (one sample, no batch axis). */
export function inputShape(value: string): number[] {
  const parts = value.trim().split(/\s*[x×,]\s*/);
  const dims = parts.map(Number);
  if (parts.some((p) => !/^\d+$/.test(p)) || dims.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new UsageError(`--input-shape must be whole numbers >= 1 joined by x, such as 64 or 1x28x28, got "${value}"`);
  }
  return dims;
}

/** --config: a JSON object, the layer's config. */
export function jsonObject(flag: string) {
  return (value: string): Record<string, unknown> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      throw new UsageError(`${flag} must be a JSON object such as '{"units": 3}', got "${value}" (${(err as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new UsageError(`${flag} must be a JSON object such as '{"units": 3}', got "${value}"`);
    return parsed as Record<string, unknown>;
  };
}

/** A number >= 0, such as a weight decay λ. */
export function nonNegativeNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a number >= 0, got "${value}"`);
    return n;
  };
}

/** --augment: "shift=2,rotate=10". */
export function augment(value: string): AugmentOptions {
  try {
    return parseAugment(value);
  } catch (err) {
    throw new UsageError(`--augment: ${(err as Error).message}`);
  }
}

export { MAX_THREADS };

/** --threads by default: the machine's cores, at most 4 (more rarely pays for the book's nets). */
export const DEFAULT_THREADS = Math.max(1, Math.min(4, os.availableParallelism()));

/** --threads: a whole number from 1 to MAX_THREADS. */
export function threadCount(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new UsageError(`--threads must be a whole number from 1 to ${MAX_THREADS}, got "${value}"`);
  }
  return n;
}
