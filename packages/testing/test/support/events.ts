import { createDomainEvent } from '@herald/core';
import { domainEventMaker } from '../../../../tooling/test-support/events.js';

export const event = domainEventMaker(createDomainEvent, 'testing-unit');
