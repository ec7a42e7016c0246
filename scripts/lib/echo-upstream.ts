import { createServer, type Server } from 'node:http';

/**
 * The demo upstream: answers every request with JSON describing it (method, path, query, headers,
 * body size). `GET /bytes/{n}` streams n bytes, for trying large responses.
 */
export function startEchoUpstream(port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://echo.local');
    const bytesMatch = /^\/bytes\/(\d{1,10})$/.exec(url.pathname);
    if (req.method === 'GET' && bytesMatch) {
      let remaining = Math.min(Number(bytesMatch[1]), 1_073_741_824);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(remaining) });
      const chunk = Buffer.alloc(64 * 1024, 97);
      const pump = () => {
        while (remaining > 0) {
          const part = remaining >= chunk.length ? chunk : chunk.subarray(0, remaining);
          remaining -= part.length;
          if (!res.write(part)) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
    });
    req.on('end', () => {
      const body = JSON.stringify({
        service: 'portcullis-echo',
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        bodyBytes: size,
        at: new Date().toISOString(),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
