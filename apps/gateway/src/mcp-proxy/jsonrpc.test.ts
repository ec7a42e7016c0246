import { describe, expect, it } from 'vitest';
import { errorBody, JSONRPC, parseClientMessage } from './jsonrpc.ts';

const parse = (value: unknown) =>
  parseClientMessage(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));

describe('parseClientMessage', () => {
  it('reads requests, notifications and responses', () => {
    expect(parse({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo' } })).toEqual({
      ok: true,
      value: { kind: 'request', id: 3, method: 'tools/call', params: { name: 'echo' } },
    });
    expect(parse({ jsonrpc: '2.0', id: 'a', method: 'ping' })).toEqual({
      ok: true,
      value: { kind: 'request', id: 'a', method: 'ping', params: {} },
    });
    expect(parse({ jsonrpc: '2.0', method: 'notifications/initialized' })).toEqual({
      ok: true,
      value: { kind: 'notification', method: 'notifications/initialized' },
    });
    expect(parse({ jsonrpc: '2.0', id: 9, result: {} })).toEqual({
      ok: true,
      value: { kind: 'response', id: 9 },
    });
  });

  it('refuses what is not one JSON-RPC 2.0 message', () => {
    const cases: [unknown, number, number][] = [
      ['{"jsonrpc":', 400, JSONRPC.parseError],
      ['', 400, JSONRPC.parseError],
      [[{ jsonrpc: '2.0', id: 1, method: 'ping' }], 400, JSONRPC.invalidRequest],
      [{ jsonrpc: '1.0', id: 1, method: 'ping' }, 400, JSONRPC.invalidRequest],
      ['"just a string"', 400, JSONRPC.invalidRequest],
      [{ jsonrpc: '2.0', id: { nested: true }, method: 'ping' }, 400, JSONRPC.invalidRequest],
      [{ jsonrpc: '2.0', id: 1.5, method: 'ping' }, 400, JSONRPC.invalidRequest],
      [{ jsonrpc: '2.0', id: 1, method: 42 }, 400, JSONRPC.invalidRequest],
      [{ jsonrpc: '2.0', id: 1 }, 400, JSONRPC.invalidRequest],
    ];
    for (const [body, status, code] of cases) {
      const parsed = parse(body);
      expect(parsed.ok, JSON.stringify(body)).toBe(false);
      if (!parsed.ok) expect([parsed.error.httpStatus, parsed.error.code]).toEqual([status, code]);
    }
  });

  it('answers unknown methods "method not found": as JSON-RPC for a request, with 400 for a notification', () => {
    const request = parse({ jsonrpc: '2.0', id: 5, method: 'admin/shutdown' });
    expect(request.ok).toBe(false);
    if (!request.ok) expect(request.error).toMatchObject({ httpStatus: 200, logStatus: 400, id: 5 });
    const notification = parse({ jsonrpc: '2.0', method: 'notifications/reboot' });
    if (!notification.ok) expect(notification.error).toMatchObject({ httpStatus: 400, id: null });
    expect(notification.ok).toBe(false);
  });

  it('refuses params that are not an object', () => {
    const parsed = parse({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: ['echo'] });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.code).toBe(JSONRPC.invalidParams);
  });
});

describe('errorBody', () => {
  it('is a JSON-RPC error answer carrying the id and data', () => {
    const body = errorBody({
      httpStatus: 200,
      code: JSONRPC.invalidParams,
      message: 'no',
      errorCode: 'x',
      id: 4,
      data: { tool: 't' },
    });
    expect(JSON.parse(body)).toEqual({
      jsonrpc: '2.0',
      id: 4,
      error: { code: -32602, message: 'no', data: { tool: 't' } },
    });
  });
});
