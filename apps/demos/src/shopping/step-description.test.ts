import { describe, expect, it } from 'vitest';
import { APPLE_GRAPH, APPLE_ORANGE_GRAPH, evaluateGraph, walkSteps } from './shopping-graph.js';
import { describeStep } from './step-description.js';

describe('describeStep', () => {
  it('writes each step of the apple graph with its numbers', () => {
    const v = evaluateGraph(APPLE_GRAPH);
    expect(walkSteps(APPLE_GRAPH).map((s) => describeStep(APPLE_GRAPH, v, s))).toEqual([
      'Forward: apple_price = apple × apple_num = 100 × 2 = 200',
      'Forward: price = apple_price × tax = 200 × 1.1 = 220',
      'Backward: dapple_price = dprice × tax = 1 × 1.1 = 1.1; dtax = dprice × apple_price = 1 × 200 = 200',
      'Backward: dapple = dapple_price × apple_num = 1.1 × 2 = 2.2; dapple_num = dapple_price × apple = 1.1 × 100 = 110',
    ]);
  });

  it('says that + passes the gradient on unchanged', () => {
    const v = evaluateGraph(APPLE_ORANGE_GRAPH);
    expect(describeStep(APPLE_ORANGE_GRAPH, v, { phase: 'backward', node: 'add_apple_orange' })).toBe(
      'Backward: + passes dall_price = 1.1 on unchanged: dapple_price = 1.1, dorange_price = 1.1',
    );
  });
});
