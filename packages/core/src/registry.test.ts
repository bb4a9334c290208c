import { describe, expect, it } from 'vitest';
import { type Def, DuplicateTypeError, Registry, UnknownTypeError } from './registry.js';

interface ThingDef extends Def {
  make(): string;
}

class ThingRegistry extends Registry<ThingDef> {
  constructor(defs: Iterable<ThingDef> = []) {
    super({ noun: 'thing', article: 'a', owner: 'ThingRegistry' }, defs);
  }
  protected override missing(def: ThingDef): string | undefined {
    return typeof def.make === 'function' ? undefined : 'has no make() function';
  }
}

const a: ThingDef = { type: 'a', make: () => 'A' };
const b: ThingDef = { type: 'b', make: () => 'B' };

describe('Registry', () => {
  it('holds the defs of its list, sorted by type', () => {
    const r = new ThingRegistry([b, a]);
    expect(r.types()).toEqual(['a', 'b']);
    expect(r.defs()).toEqual([a, b]);
    expect(r.get('b')).toBe(b);
    expect(r.has('a') && !r.has('c')).toBe(true);
  });

  it('refuses a type twice and names it', () => {
    const r = new ThingRegistry([a]);
    expect(() => r.register(a)).toThrow(DuplicateTypeError);
    expect(() => r.register({ ...b, type: 'a' })).toThrow(
      'thing type "a" is already registered; give the new thing another type, or register it into a registry without the old one',
    );
  });

  it('lists the known types for an unknown one', () => {
    const r = new ThingRegistry([a, b]);
    expect(() => r.get('c')).toThrow(UnknownTypeError);
    expect(() => r.get('c')).toThrow('unknown thing type "c"; known types: a, b');
    expect(() => new ThingRegistry().get('a')).toThrow('unknown thing type "a"; known types: (none registered)');
  });

  it('refuses what is not a def, naming what is missing', () => {
    const r = new ThingRegistry();
    expect(r.register(a)).toBe(r);
    expect(() => r.register({ type: '', make: () => '' })).toThrow('ThingRegistry.register: a thing def needs a non-empty string "type"');
    expect(() => r.register(null as unknown as ThingDef)).toThrow(TypeError);
    expect(() => r.register({ type: 'x' } as unknown as ThingDef)).toThrow('ThingRegistry.register: thing def "x" has no make() function');
  });

  it('never shares state between registries, nor through what it returns', () => {
    const r1 = new ThingRegistry([a]);
    const r2 = new ThingRegistry([a]);
    r1.register(b);
    r1.types().push('z');
    r1.defs().pop();
    expect(r1.types()).toEqual(['a', 'b']);
    expect(r2.types()).toEqual(['a']);
  });
});
