import { describe, expect, it } from 'vitest';
import { Prisma } from '../generated/client.ts';
import { replicaUnavailableReason } from './read-replica.ts';

const adapterError = (cause: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError('query failed', {
    code: 'P2010',
    clientVersion: '6.19.3',
    meta: { driverAdapterError: { name: 'DriverAdapterError', cause } },
  });

describe('replicaUnavailableReason', () => {
  it('names failures of the replica: unreachable, cut off, shutting down, recovering, replay conflicts', () => {
    expect(replicaUnavailableReason(adapterError({ kind: 'DatabaseNotReachable', port: 5433 }))).toBe(
      'DatabaseNotReachable',
    );
    expect(replicaUnavailableReason(adapterError({ kind: 'ConnectionClosed' }))).toBe('ConnectionClosed');
    expect(replicaUnavailableReason(adapterError({ kind: 'TransactionWriteConflict' }))).toBe(
      'TransactionWriteConflict',
    );
    expect(
      replicaUnavailableReason(
        adapterError({
          kind: 'postgres',
          code: '57P01',
          message: 'terminating connection due to administrator command',
        }),
      ),
    ).toBe('57P01 terminating connection due to administrator command');
    expect(replicaUnavailableReason(adapterError({ kind: 'postgres', code: '08006', message: 'gone' }))).toBe(
      '08006 gone',
    );
    expect(replicaUnavailableReason(new Error('Connection terminated due to connection timeout'))).toBe(
      'Connection terminated due to connection timeout',
    );
    expect(replicaUnavailableReason(new Error('Connection terminated unexpectedly'))).toBe(
      'Connection terminated unexpectedly',
    );
  });

  it('leaves every other error to the caller', () => {
    expect(replicaUnavailableReason(adapterError({ kind: 'UniqueConstraintViolation' }))).toBeUndefined();
    expect(
      replicaUnavailableReason(
        adapterError({
          kind: 'postgres',
          code: '25006',
          message: 'cannot execute INSERT in a read-only transaction',
        }),
      ),
    ).toBeUndefined();
    expect(
      replicaUnavailableReason(adapterError({ kind: 'postgres', code: '42601', message: 'syntax' })),
    ).toBeUndefined();
    expect(replicaUnavailableReason(new Error('Invalid input'))).toBeUndefined();
    expect(replicaUnavailableReason('not an error')).toBeUndefined();
  });
});
