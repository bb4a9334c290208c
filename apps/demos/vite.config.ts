import { defineConfig } from 'vite';

// Cross-origin isolation gives the page SharedArrayBuffer, which it shares with the training
// worker as a control word: train() polls it every iteration, so Pause stops training at once.
// It also lets the worker's WASM memory be shared, so its kernels split over threads (Workers from
// a Blob on that memory); a host without these headers gets one thread, and the page says why.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative URLs, so the built site works from any directory of a static host.
  base: './',
  build: {
    outDir: 'dist/site',
    emptyOutDir: true,
    target: 'es2022',
  },
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
});
