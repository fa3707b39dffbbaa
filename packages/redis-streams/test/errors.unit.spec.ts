import { HeraldError, isHeraldError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { RedeliveryLimitError } from '../src/index.js';

describe('RedeliveryLimitError', () => {
  it('is a HeraldError with code REDELIVERY_LIMIT, so a dead letter can be told apart by code', () => {
    const error = new RedeliveryLimitError(4, 3);
    expect(error).toBeInstanceOf(HeraldError);
    expect(isHeraldError(error, 'REDELIVERY_LIMIT')).toBe(true);
    expect(error.name).toBe('RedeliveryLimitError');
    expect(error.deliveries).toBe(4);
    expect(error.message).toContain('delivered 4 times (maxAttempts 3)');
  });
});
