import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Every test file runs twice: on the default backend (WASM SIMD where the engine has it) and on
// the TypeScript reference kernels, chosen through DLFS_BACKEND before the package loads.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      projects: [
        { extends: true, test: { name: 'wasm', env: { DLFS_BACKEND: 'wasm' } } },
        { extends: true, test: { name: 'js', env: { DLFS_BACKEND: 'js' } } },
      ],
    },
  }),
);
