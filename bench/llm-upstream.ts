import { createServer } from 'node:http';
import { argValue } from './env.ts';

/*
 * The streaming LLM provider every AI target calls: OpenAI's wire format, `POST /v1/chat/completions`
 * with `stream: true` answers a role chunk, `--tokens` content chunks `--interval-ms` apart, a finish
 * chunk, a usage chunk and `[DONE]`. Token i's text is `t<i> `, so a client can spot the first token in
 * any gateway's re-framing. Non-streamed requests get the same text in one completion.
 */
const TOKENS = Number(argValue('tokens'));
const INTERVAL_MS = Number(argValue('interval-ms'));

const chunk = (model: string, delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (part: Buffer) => parts.push(part));
  req.on('end', () => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as {
      model?: string;
      stream?: boolean;
    };
    const model = body.model ?? 'bench-model';
    const usage = { prompt_tokens: 12, completion_tokens: TOKENS, total_tokens: TOKENS + 12 };
    if (!body.stream) {
      const text = Array.from({ length: TOKENS }, (_, i) => `t${i} `).join('');
      const json = JSON.stringify({
        id: 'chatcmpl-bench',
        object: 'chat.completion',
        created: 1,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(json);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(chunk(model, { role: 'assistant', content: '' }));
    let i = 0;
    const next = () => {
      if (i < TOKENS) {
        res.write(chunk(model, { content: `t${i} ` }));
        i += 1;
        setTimeout(next, INTERVAL_MS);
        return;
      }
      res.write(chunk(model, {}, 'stop'));
      res.write(
        `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model, choices: [], usage })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    };
    next();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(argValue('port')), '127.0.0.1', () => {
  process.stdout.write('ready\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
