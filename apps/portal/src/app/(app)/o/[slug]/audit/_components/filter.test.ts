import { describe, expect, it } from 'vitest';
import { appliedFilter, NO_FILTER } from './filter';

describe('appliedFilter', () => {
  it('drops empty filters', () => {
    expect(appliedFilter(NO_FILTER)).toEqual({});
    expect(appliedFilter({ ...NO_FILTER, actionPrefix: '   ' })).toEqual({});
  });

  it('trims the action prefix and reads from/to as UTC', () => {
    expect(
      appliedFilter({
        actorId: 'u1',
        actionPrefix: ' api. ',
        targetType: 'Api',
        from: '2026-12-01T10:00',
        to: '2026-12-02T00:30',
      }),
    ).toEqual({
      actorId: 'u1',
      actionPrefix: 'api.',
      targetType: 'Api',
      from: new Date('2026-12-01T10:00:00Z'),
      to: new Date('2026-12-02T00:30:00Z'),
    });
  });

  it('ignores a date that does not parse', () => {
    expect(appliedFilter({ ...NO_FILTER, from: 'not a date' })).toEqual({});
  });
});
