import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Every package writes a JSON report beside its default output so that .ci/run
// can count the tests of the whole workspace, whether they ran or came from turbo's cache.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    setupFiles: [fileURLToPath(new URL('./vitest.setup.ts', import.meta.url))],
  },
});
