import * as tensor from '@dlfs/tensor';

/**
 * The tensor package's backend switch, when it has one. It is looked up at run time so that
 * the bench runs against a @dlfs/tensor with or without it: without, only 'js' exists.
 */
interface BackendApi {
  setBackend(name: string): unknown;
  getBackend(): string;
  backendInfo?(): unknown;
}

function api(): BackendApi | undefined {
  const m = tensor as unknown as Record<string, unknown>;
  if (typeof m.setBackend === 'function' && typeof m.getBackend === 'function') return m as unknown as BackendApi;
  return undefined;
}

/** The backend in use: getBackend() when it exists, else 'js'. */
export function currentBackend(): string {
  return api()?.getBackend() ?? 'js';
}

/** backendInfo() when it exists. */
export function backendDetails(): unknown {
  const a = api();
  if (a?.backendInfo === undefined) return undefined;
  try {
    return toJson(a.backendInfo());
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Switches to `name` (awaiting it when setBackend is async); throws when it did not take. */
export async function useBackend(name: string): Promise<void> {
  const a = api();
  if (a === undefined) {
    if (name === 'js') return;
    throw new Error(`@dlfs/tensor has no setBackend, so only the 'js' backend exists (asked for '${name}')`);
  }
  await a.setBackend(name);
  const now = a.getBackend();
  if (now !== name) throw new Error(`setBackend('${name}') left the backend at '${now}'`);
}

export interface BackendProbe {
  /** The backend a fresh process starts on. */
  default: string;
  /** Every backend that setBackend accepted. */
  available: string[];
  /** Whether @dlfs/tensor exports setBackend/getBackend. */
  switchable: boolean;
  info: unknown;
}

/** Names that backendInfo() may list; read loosely, since its shape belongs to the tensor package. */
function namesIn(info: unknown): string[] {
  if (info === null || typeof info !== 'object') return [];
  const o = info as Record<string, unknown>;
  for (const key of ['available', 'backends', 'names']) {
    const v = o[key];
    if (Array.isArray(v))
      return v.flatMap((x) =>
        typeof x === 'string'
          ? [x]
          : typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string'
            ? [(x as { name: string }).name]
            : [],
      );
    if (v !== null && typeof v === 'object') return Object.keys(v);
  }
  return [];
}

/** Which backends this build of @dlfs/tensor has. Run it in a fresh process: it switches backends. */
export async function probeBackends(): Promise<BackendProbe> {
  const a = api();
  if (a === undefined) return { default: 'js', available: ['js'], switchable: false, info: undefined };
  const def = a.getBackend();
  const info = backendDetails();
  const candidates = [...new Set([def, 'js', 'wasm', ...namesIn(info)])];
  const available: string[] = [];
  for (const name of candidates) {
    try {
      await useBackend(name);
      available.push(name);
    } catch {
      // not available in this build or on this machine
    }
  }
  await useBackend(def).catch(() => undefined);
  return { default: def, available, switchable: true, info };
}

function toJson(v: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(v)) as unknown;
  } catch {
    return String(v);
  }
}
