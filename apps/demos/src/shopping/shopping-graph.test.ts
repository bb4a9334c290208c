import { describe, expect, it } from 'vitest';
import { APPLE_GRAPH, APPLE_ORANGE_GRAPH, edgeId, evaluateGraph, formatValue, graphEdges, OUTPUT, revealedAfter, walkSteps } from './shopping-graph.js';

// Expected numbers: figures 5-16 and 5-17 of the book and its buy_apple.py / buy_apple_orange.py output.
describe('the shopping graphs of 5.4', () => {
  it('buys apples: price 220, dapple 2.2, dapple_num 110, dtax 200', () => {
    const v = evaluateGraph(APPLE_GRAPH);
    expect(formatValue(v.output)).toBe('220');
    expect(formatValue(v.grad.apple!)).toBe('2.2');
    expect(formatValue(v.grad.apple_num!)).toBe('110');
    expect(formatValue(v.grad.tax!)).toBe('200');
    expect(v.forward.mul_apple).toBe(200);
  });

  it('buys apples and oranges: price 715, dapple_num 110, dapple 2.2, dorange 3.3, dorange_num 165, dtax 650', () => {
    const v = evaluateGraph(APPLE_ORANGE_GRAPH);
    const shown = Object.fromEntries(['apple', 'apple_num', 'orange', 'orange_num', 'tax'].map((k) => [k, formatValue(v.grad[k]!)]));
    expect(formatValue(v.output)).toBe('715');
    expect(shown).toEqual({ apple: '2.2', apple_num: '110', orange: '3.3', orange_num: '165', tax: '650' });
    // The + node passes its upstream gradient (1.1) to both inputs unchanged.
    expect(v.edgeGrad[edgeId('mul_apple', 'add_apple_orange')]).toBeCloseTo(1.1, 12);
    expect(v.edgeGrad[edgeId('mul_orange', 'add_apple_orange')]).toBeCloseTo(1.1, 12);
  });

  it('recomputes both passes from new inputs, by the chain rule', () => {
    const v = evaluateGraph(APPLE_ORANGE_GRAPH, { apple: 120, tax: 1.08 });
    // price = (120·2 + 150·3)·1.08; ∂price/∂apple = 2·1.08; ∂price/∂tax = 120·2 + 150·3.
    expect(v.output).toBeCloseTo(745.2, 10);
    expect(v.grad.apple).toBeCloseTo(2.16, 12);
    expect(v.grad.tax).toBeCloseTo(690, 10);
    expect(v.grad.orange_num).toBeCloseTo(162, 10);
  });

  it('prints numbers without float noise', () => {
    expect(100 * 2 * 1.1).not.toBe(220);
    expect(formatValue(100 * 2 * 1.1)).toBe('220');
    expect(formatValue(1.1 * 3)).toBe('3.3');
    expect(formatValue(-0.5)).toBe('-0.5');
    expect(formatValue(Number.NaN)).toBe('NaN');
  });
});

describe('the walk-through', () => {
  it('runs every forward in order, then every backward in reverse', () => {
    expect(walkSteps(APPLE_ORANGE_GRAPH).map((s) => `${s.phase} ${s.node}`)).toEqual([
      'forward mul_apple',
      'forward mul_orange',
      'forward add_apple_orange',
      'forward mul_tax',
      'backward mul_tax',
      'backward add_apple_orange',
      'backward mul_orange',
      'backward mul_apple',
    ]);
  });

  it('reveals forward values node by node, then gradients from the output back', () => {
    const g = APPLE_GRAPH;
    const all = graphEdges(g).map((e) => e.id);
    const start = revealedAfter(g, 0);
    expect([...start.forward].sort()).toEqual([edgeId('apple', 'mul_apple'), edgeId('apple_num', 'mul_apple'), edgeId('tax', 'mul_tax')].sort());
    expect(start.backward.size).toBe(0);
    expect(start.active).toBeUndefined();

    const forwardDone = revealedAfter(g, 2);
    expect([...forwardDone.forward].sort()).toEqual([...all].sort());
    expect(forwardDone.backward.size).toBe(0);
    expect(forwardDone.active).toEqual({ phase: 'forward', node: 'mul_tax' });

    const firstBack = revealedAfter(g, 3);
    expect([...firstBack.backward].sort()).toEqual([edgeId('mul_tax', OUTPUT), edgeId('mul_apple', 'mul_tax'), edgeId('tax', 'mul_tax')].sort());

    const done = revealedAfter(g, 4);
    expect(done.backward.size).toBe(all.length);
    expect(revealedAfter(g, undefined).backward.size).toBe(all.length);
  });
});
