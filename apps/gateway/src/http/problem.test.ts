import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { problem, problemBody, sendProblem } from './problem.ts';

function fakeResponse() {
  const headers: Record<string, unknown> = {};
  const sent: { status?: number; body?: string } = {};
  const res = {
    headersSent: false,
    statusCode: 200,
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = value;
    },
    end(body: string) {
      sent.status = this.statusCode;
      sent.body = body;
    },
    destroy: () => undefined,
  };
  return { res: res as unknown as ServerResponse, headers, sent };
}

describe('problem+json', () => {
  it('has exactly type, title, status, detail, code and requestId', () => {
    const body = problemBody(problem('quota_exceeded', 'used up'), 'req-1');
    expect(body).toEqual({
      type: 'https://portcullis.dev/problems/quota-exceeded',
      title: 'Quota Exceeded',
      status: 429,
      detail: 'used up',
      code: 'quota_exceeded',
      requestId: 'req-1',
    });
  });

  it('is sent with its status, content type, extra headers and no stack', () => {
    const { res, headers, sent } = fakeResponse();
    sendProblem(res, problem('rate_limited', 'slow down', { 'retry-after': '7' }), 'req-2');
    expect(sent.status).toBe(429);
    expect(headers['content-type']).toBe('application/problem+json');
    expect(headers['retry-after']).toBe('7');
    expect(headers['x-request-id']).toBe('req-2');
    const parsed = JSON.parse(sent.body ?? '{}');
    expect(parsed).toMatchObject({ status: 429, code: 'rate_limited', requestId: 'req-2' });
    expect(Object.keys(parsed).sort()).toEqual(['code', 'detail', 'requestId', 'status', 'title', 'type']);
    expect(headers['content-length']).toBe(Buffer.byteLength(sent.body ?? ''));
  });

  it('asks for a bearer token on 401 key_missing', () => {
    const { res, headers, sent } = fakeResponse();
    sendProblem(res, problem('key_missing', 'send a key'), 'req-3');
    expect(sent.status).toBe(401);
    expect(headers['www-authenticate']).toBe('Bearer');
  });
});
