import { describe, expect, it } from 'vitest';
import { apiCount, filtersQuery, isFiltered, NO_FILTERS, readFilters } from './catalog-filters';

const read = (query: string) => readFilters(new URLSearchParams(query));

describe('catalog filters', () => {
  it('reads the defaults from an empty query', () => {
    expect(read('')).toEqual(NO_FILTERS);
  });

  it('reads every filter and falls back on unknown statuses and bad pages', () => {
    expect(read('q=sky&org=acme&tag=geo&status=DRAFT&page=3')).toEqual({
      q: 'sky',
      org: 'acme',
      tag: 'geo',
      status: 'DRAFT',
      page: 3,
    });
    expect(read('status=BOGUS&page=0').status).toBe('active');
    expect(read('page=0').page).toBe(1);
    expect(read('page=1.5').page).toBe(1);
    expect(read('page=x').page).toBe(1);
  });

  it('writes only what differs from the defaults, and reads it back', () => {
    expect(filtersQuery(NO_FILTERS)).toBe('');
    const filters = { q: 'a b', org: 'acme', tag: '', status: 'any' as const, page: 2 };
    const query = filtersQuery(filters);
    expect(query).toBe('q=a+b&org=acme&status=any&page=2');
    expect(read(query)).toEqual(filters);
  });

  it('tells a filtered list from the default one', () => {
    expect(isFiltered(NO_FILTERS)).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, page: 4 })).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, q: 'x' })).toBe(true);
    expect(isFiltered({ ...NO_FILTERS, status: 'RETIRED' })).toBe(true);
  });

  it('counts APIs', () => {
    expect(apiCount(0)).toBe('0 APIs');
    expect(apiCount(1)).toBe('1 API');
    expect(apiCount(12)).toBe('12 APIs');
  });
});
