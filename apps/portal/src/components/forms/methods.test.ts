import { describe, expect, it } from 'vitest';
import { toggleMethod } from './methods';

describe('toggleMethod', () => {
  it('adds a method in the usual order', () => {
    expect(toggleMethod(['POST', 'GET'], 'HEAD', true)).toEqual(['GET', 'HEAD', 'POST']);
  });
  it('removes a method', () => {
    expect(toggleMethod(['GET', 'POST'], 'GET', false)).toEqual(['POST']);
  });
});
