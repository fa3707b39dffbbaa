import { ValidationError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { percentiles, SampleRing } from '../src/stats/public.js';

describe('@herald/prometheus/stats', () => {
  it('percentiles is the nearest rank of unsorted values and leaves them as they were', () => {
    // Given 1..10 out of order
    const values = [7, 3, 10, 1, 9, 2, 8, 4, 6, 5];
    // When p10, p50, p99 and p100 are taken
    const result = percentiles(values, [0.1, 0.5, 0.99, 1]);
    // Then each is sorted[ceil(p·n) − 1], and the input is unchanged
    expect(result).toEqual([1, 5, 10, 10]);
    expect(values).toEqual([7, 3, 10, 1, 9, 2, 8, 4, 6, 5]);
    expect(percentiles([], [0.5])).toEqual([0]);
  });

  it('SampleRing keeps the latest capacity samples and filters on their time', () => {
    // Given a ring of 3 fed 5 samples at times 10..50
    const ring = new SampleRing(3);
    for (let i = 1; i <= 5; i++) ring.push(i * 10, i);
    // When the samples are collected from time 0 and from time 45
    const all: number[] = [];
    const recent: number[] = [];
    ring.collect(0, all);
    ring.collect(45, recent);
    // Then the two oldest fell out, and the time filter applies
    expect(ring.size).toBe(3);
    expect(all.sort()).toEqual([3, 4, 5]);
    expect(recent).toEqual([5]);
  });

  it('SampleRing refuses a capacity that is not an integer ≥ 1, naming it', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN]) {
      expect(() => new SampleRing(capacity)).toThrow(ValidationError);
      expect(() => new SampleRing(capacity)).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'capacity' }));
    }
  });
});
