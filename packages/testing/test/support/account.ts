import { EventSourcedAggregate, type DomainEvent } from '@herald/core';

export class InsufficientFundsError extends Error {
  constructor(readonly shortBy: number) {
    super(`insufficient funds: short by ${shortBy}`);
    this.name = 'InsufficientFundsError';
  }
}

/** A small aggregate for the scenario and test-kit tests. */
export class Account extends EventSourcedAggregate {
  readonly aggregateType = 'Account';
  owner: string | undefined;
  balance = 0;

  // biome-ignore lint/complexity/noUselessConstructor: the base constructor is protected; this one is public
  constructor(id: string) {
    super(id);
  }

  open(owner: string): void {
    if (this.owner !== undefined) throw new Error('already open');
    this.raise('account.opened', { owner });
  }

  deposit(amount: number): void {
    this.raise('account.deposited', { amount });
  }

  withdraw(amount: number): void {
    if (amount > this.balance) throw new InsufficientFundsError(amount - this.balance);
    this.raise('account.withdrawn', { amount });
  }

  async depositLater(amount: number): Promise<void> {
    await Promise.resolve();
    this.deposit(amount);
  }

  apply(event: DomainEvent): void {
    switch (event.type) {
      case 'account.opened':
        this.owner = event.data.owner as string;
        break;
      case 'account.deposited':
        this.balance += event.data.amount as number;
        break;
      case 'account.withdrawn':
        this.balance -= event.data.amount as number;
        break;
    }
  }
}
