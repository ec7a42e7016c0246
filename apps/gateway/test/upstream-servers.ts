import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db, Prisma } from '@portcullis/db';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';

/** A local upstream with a custom handler, counting what it received. */
export interface TestServer {
  url: string;
  port: number;
  hits: number;
  requests: { method: string; url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

const answer = (name: string) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'x-served-by': name });
  res.end(name);
};

/** Starts a server on `port` (0: any free one); the default handler answers 200 with `name`. */
export async function startServer(
  name: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void = answer(name),
  port = 0,
): Promise<TestServer> {
  const server: Server = createServer((req, res) => {
    state.hits += 1;
    state.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  const state: TestServer = {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    hits: 0,
    requests: [],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}

/** A port nothing listens on (connections are refused) that a server can take later. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A published API with the given upstream config, unlimited plan, and a consumer key for it. */
export async function seedRoute(db: Db, upstreamUrl: string, upstream: Prisma.InputJsonObject = {}) {
  const provider = await seedProviderWithApi(db, {
    upstreamUrl,
    rateLimit: null,
    monthlyQuota: null,
    requiresApproval: false,
  });
  await db.api.update({ where: { id: provider.api.id }, data: { upstream } });
  const consumer = await seedConsumerWithKey(db, provider.plan.id);
  return {
    apiId: provider.api.id,
    path: `/${provider.org.slug}/${provider.api.slug}`,
    auth: { authorization: `Bearer ${consumer.plaintext}` },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
