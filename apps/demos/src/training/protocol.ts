import type { ScalerJson } from '@dlfs/data';
import type { NetworkSpec } from '@dlfs/model';
import type { KernelInfo } from './kernel-threads.js';
import type { TrainingSettings } from './training-settings.js';

/**
 * The control word shared with the worker when the page is cross-origin isolated: the worker
 * reads it before every training step, so Pause takes effect at once.
 */
export const CONTROL = { run: 0, pause: 1 } as const;

/** Page → worker. */
export type ClientMessage =
  | { type: 'start'; settings: TrainingSettings; datasetUrl: string; control?: SharedArrayBuffer }
  | { type: 'pause' }
  | { type: 'resume' };

/** A validation digit the network gets wrong. */
export interface Misclassified {
  /** Row of the validation split. */
  row: number;
  label: number;
  predicted: number;
  /** 784 bytes 0..255. */
  pixels: Uint8Array;
}

/** Worker → page. */
export type WorkerMessage =
  | {
      type: 'ready';
      trainRows: number;
      valRows: number;
      iterations: number;
      itersPerEpoch: number;
      spec: NetworkSpec;
      isolated: boolean;
      /** Where the kernels run: WASM SIMD or TypeScript, on how many threads, and why only one. */
      kernels: KernelInfo;
    }
  | {
      type: 'progress';
      iteration: number;
      iterations: number;
      epoch: number;
      /** Pairs (iteration, mini-batch loss) since the last progress message. */
      losses: Float64Array;
      iterationsPerSecond: number;
    }
  | {
      type: 'epoch';
      epoch: number;
      iteration: number;
      loss: number;
      trainAccuracy: number;
      valAccuracy: number;
      /** Validation accuracy of each class 0..9 (recall). */
      perClass: number[];
      misclassified: Misclassified[];
      /** How many validation digits are wrong in all. */
      wrong: number;
    }
  | {
      type: 'weights';
      iteration: number;
      spec: NetworkSpec;
      scaler: ScalerJson;
      params: Record<string, Float32Array>;
      /** Running statistics and other state, saved with a model but never trained. */
      state: Record<string, Float32Array>;
    }
  | { type: 'warning'; code: string; message: string }
  | { type: 'paused'; iteration: number }
  | { type: 'resumed'; iteration: number }
  | { type: 'done'; iteration: number; epochs: number; trainAccuracy: number; valAccuracy: number; seconds: number; stopped: string | null }
  | { type: 'error'; message: string };
