import { createDomainEvent } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { scenario } from '../src/index.js';
import { Account, InsufficientFundsError } from './support/account.js';

const account = (id: string) => new Account(id);

describe('scenario', () => {
  describe('then', () => {
    it('passes when when() raises the expected events, compared by type and data only', async () => {
      await scenario(account)
        .given([{ type: 'account.opened', data: { owner: 'ada' } }])
        .when((a) => {
          a.deposit(10);
          a.withdraw(4);
        })
        .then([
          { type: 'account.deposited', data: { amount: 10 } },
          { type: 'account.withdrawn', data: { amount: 4 } },
        ]);
    });

    it('rebuilds state from the history before when() runs, and resolves with the aggregate', async () => {
      const result = await scenario(account, { id: 'acc-7' })
        .given([
          { type: 'account.opened', data: { owner: 'ada' } },
          { type: 'account.deposited', data: { amount: 50 } },
        ])
        .when((a) => a.withdraw(20))
        .then([{ type: 'account.withdrawn', data: { amount: 20 } }]);

      expect(result.id).toBe('acc-7');
      expect(result.balance).toBe(30);
      expect(result.version).toBe(3);
      expect(result.changes[0]!.version).toBe(3);
    });

    it('accepts full domain events as history, applied as versions 1..n', async () => {
      const history = [
        createDomainEvent({
          type: 'account.opened',
          aggregateId: 'acc-1',
          aggregateType: 'Account',
          data: { owner: 'bob' },
          metadata: { source: 'test', environment: 'test' },
        }),
        createDomainEvent({
          type: 'account.deposited',
          aggregateId: 'acc-1',
          aggregateType: 'Account',
          data: { amount: 5 },
          metadata: { source: 'test', environment: 'test' },
        }),
      ];

      const result = await scenario(account).given(history).when((a) => a.deposit(1)).then([{ type: 'account.deposited' }]);

      expect(result.balance).toBe(6);
      expect(result.owner).toBe('bob');
    });

    it('runs without history and supports async when()', async () => {
      await scenario(account)
        .when(async (a) => {
          a.open('cy');
          await a.depositLater(3);
        })
        .then([
          { type: 'account.opened', data: { owner: 'cy' } },
          { type: 'account.deposited', data: { amount: 3 } },
        ]);
    });

    it('checks only the type where an expectation leaves data out', async () => {
      await scenario(account)
        .when((a) => a.deposit(99))
        .then([{ type: 'account.deposited' }]);
    });

    it('fails with a readable, position-by-position diff of type and data when the events differ', async () => {
      const error = await scenario(account)
        .when((a) => {
          a.deposit(10);
          a.deposit(5);
        })
        .then([
          { type: 'account.deposited', data: { amount: 11 } },
          { type: 'account.deposited', data: { amount: 5 } },
        ])
        .then(
          () => undefined,
          (e: unknown) => e as Error & { actual: unknown; expected: unknown },
        );

      expect(error!.message).toBe(
        [
          'scenario: the events raised by when() differ from the expected ones (type and data):',
          '  #1 expected account.deposited {"amount":11}',
          '     actual   account.deposited {"amount":10}',
        ].join('\n'),
      );
      // actual/expected let the test runner print its structural diff too
      expect(error!.actual).toEqual([
        { type: 'account.deposited', data: { amount: 10 } },
        { type: 'account.deposited', data: { amount: 5 } },
      ]);
      expect(error!.expected).toEqual([
        { type: 'account.deposited', data: { amount: 11 } },
        { type: 'account.deposited', data: { amount: 5 } },
      ]);
    });

    it('fails when when() raises more or fewer events than expected', async () => {
      await expect(
        scenario(account)
          .when((a) => {
            a.deposit(1);
            a.deposit(2);
          })
          .then([{ type: 'account.deposited' }]),
      ).rejects.toThrow('  #2 expected (no event)\n     actual   account.deposited {"amount":2}');
      await expect(scenario(account).when(() => {}).then([{ type: 'account.deposited' }])).rejects.toThrow(
        '  #1 expected account.deposited\n     actual   (no event)',
      );
    });

    it('fails naming the error when when() throws', async () => {
      await expect(
        scenario(account)
          .when((a) => a.withdraw(5))
          .then([{ type: 'account.withdrawn' }]),
      ).rejects.toThrow(
        'scenario: when() threw InsufficientFundsError: insufficient funds: short by 5; expected it to raise [account.withdrawn]',
      );
    });

    it('fails clearly when the history cannot be applied', async () => {
      const history = [
        createDomainEvent({
          type: 'account.opened',
          aggregateId: 'x',
          aggregateType: 'Account',
          data: { owner: 'z' },
          metadata: { source: 't', environment: 't' },
        }),
      ];
      const broken = (id: string) => {
        const a = new Account(id);
        a.apply = () => {
          throw new Error('cannot apply');
        };
        return a;
      };
      await expect(scenario(broken).given(history).when(() => {}).then([])).rejects.toThrow(
        'scenario: given() history could not be applied: Error: cannot apply',
      );
    });

    it('reports a scenario awaited without an expectation instead of misreading it', async () => {
      const unfinished = scenario(account).when((a) => a.deposit(1));
      await expect((async () => await (unfinished as unknown as Promise<unknown>))()).rejects.toThrow('awaited without an expectation');
    });
  });

  describe('thenThrows', () => {
    it('passes when when() throws the expected class, with a matching message', async () => {
      const result = await scenario(account)
        .given([{ type: 'account.opened', data: { owner: 'ada' } }])
        .when((a) => a.withdraw(5))
        .thenThrows(InsufficientFundsError, /short by 5/);

      expect(result.changes).toEqual([]);
    });

    it('fails when when() completes, listing the events it raised', async () => {
      await expect(
        scenario(account)
          .when((a) => a.deposit(1))
          .thenThrows(InsufficientFundsError),
      ).rejects.toThrow(
        'scenario: expected when() to throw InsufficientFundsError, but it completed and raised [account.deposited]',
      );
    });

    it('fails when when() throws another error', async () => {
      await expect(
        scenario(account)
          .given([{ type: 'account.opened', data: { owner: 'ada' } }])
          .when((a) => a.open('again'))
          .thenThrows(InsufficientFundsError),
      ).rejects.toThrow('scenario: expected when() to throw InsufficientFundsError, but it threw Error: already open');
    });

    it('fails when the message does not match', async () => {
      await expect(
        scenario(account)
          .when((a) => a.withdraw(5))
          .thenThrows(InsufficientFundsError, 'short by 6'),
      ).rejects.toThrow(
        'scenario: the message of the InsufficientFundsError thrown by when() does not match short by 6: "insufficient funds: short by 5"',
      );
    });
  });
});
