import { expect, it } from 'vitest';
import { backendInfo, getBackend } from './backend.js';

it('starts on the backend DLFS_BACKEND names (each vitest project sets one)', () => {
  const env = process.env.DLFS_BACKEND;
  expect(env === 'js' || env === 'wasm').toBe(true);
  expect(backendInfo().requested).toBe(env);
  expect(getBackend()).toBe(env);
});
