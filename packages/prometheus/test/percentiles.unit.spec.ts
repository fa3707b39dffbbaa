import { describe, expect, it } from 'vitest';
import { weightedPercentiles } from '../src/stats/percentiles.js';

describe('weightedPercentiles', () => {
  it('is the textbook nearest rank with unit weights', () => {
    // Given 1..10 out of order
    const values = [7, 3, 10, 1, 9, 2, 8, 4, 6, 5];
    // When p10, p50, p90, p91 and p100 are taken
    const [p10, p50, p90, p91, p100] = weightedPercentiles([{ values, weight: 1 }], [0.1, 0.5, 0.9, 0.91, 1]);
    // Then each is sorted[ceil(p·n) − 1]
    expect([p10, p50, p90, p91, p100]).toEqual([1, 5, 9, 10, 10]);
  });

  it('gives the only sample for any p, and zeros without samples', () => {
    expect(weightedPercentiles([{ values: [0.42], weight: 3 }], [0.5, 0.99])).toEqual([0.42, 0.42]);
    expect(weightedPercentiles([], [0.5, 0.99])).toEqual([0, 0]);
  });

  it('lets a heavier group stand for more observations', () => {
    // Given 1 sample standing for 9 observations at 1, and 1 sample for 1 observation at 100
    const groups = [
      { values: [1], weight: 9 },
      { values: [100], weight: 1 },
    ];
    // Then up to p90 the value is 1, above it 100
    expect(weightedPercentiles(groups, [0.5, 0.9, 0.95])).toEqual([1, 1, 100]);
  });
});
