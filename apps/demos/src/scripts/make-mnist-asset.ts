import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mnistPixelsToBytes } from '@dlfs/datasets';
import { loadMnistSample } from '@dlfs/datasets/node';
import { encodeMnistAsset, MNIST_ASSET_FILE } from '../training/mnist-asset.js';

// Run by the demos build: the bundled MNIST sample (default order, seed 0, as `dlfs train`
// reads it) as one compact binary in public/, which Vite copies into the site.
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', '..', 'public', MNIST_ASSET_FILE);
const sample = loadMnistSample();
const rows = sample.x.shape[0]!;
const pixelsPerRow = sample.x.shape[1]!;
const bytes = encodeMnistAsset({ rows, pixelsPerRow, labels: sample.labels, pixels: mnistPixelsToBytes(sample.x.data) });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, bytes);
console.log(`wrote ${out}: ${rows} digits × ${pixelsPerRow} pixels, ${(bytes.length / 1e6).toFixed(2)} MB`);
