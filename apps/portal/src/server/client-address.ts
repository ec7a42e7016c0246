import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { clientAddress } from '@portcullis/services/verbs/login-guard';

/**
 * The client address the per-IP limits key on (sign-in, sign-up).
 *
 * Next.js hands route handlers a web Request without the socket, and only fills X-Forwarded-For with
 * the socket address when the client sent none (`??=` in its base server), so a client that sends the
 * header picks the address it is counted under. So the address is taken where the socket is still
 * known: Node publishes every incoming request on the `http.server.request.start` diagnostics channel
 * (synchronously, before the server's `request` event reaches Next), and the subscriber installed by
 * instrumentation.ts stamps the address into a request header, signed with a key derived from
 * AUTH_SECRET and overwriting whatever the client sent under that name. Route handlers read it back;
 * a missing or forged stamp reads as `unknown` (one shared bucket), never as the client's own words.
 *
 * With PORTAL_TRUSTED_PROXIES=0 the address is the socket peer and X-Forwarded-For is ignored; with N
 * proxies it is the entry N places left of the peer in `X-Forwarded-For, peer`.
 */
export const CLIENT_ADDRESS_HEADER = 'x-portcullis-client-address';

const stampKey = (secret: string) => createHash('sha256').update(`client-address-stamp:${secret}`).digest();

function signature(address: string, secret: string): string {
  return createHmac('sha256', stampKey(secret)).update(address).digest('base64url');
}

export function stampValue(address: string, secret: string): string {
  return `${address} ${signature(address, secret)}`;
}

/** The stamped address, or `unknown` when the header is missing or was not written by this portal. */
export function clientAddressFromHeaders(headers: Headers, secret: string): string {
  const [address, mac, ...rest] = (headers.get(CLIENT_ADDRESS_HEADER) ?? '').split(' ');
  if (!address || !mac || rest.length > 0) return 'unknown';
  const expected = Buffer.from(signature(address, secret));
  const given = Buffer.from(mac);
  return given.length === expected.length && timingSafeEqual(given, expected) ? address : 'unknown';
}

interface RequestStart {
  request: IncomingMessage;
  socket: Socket;
}

const processGlobal = globalThis as unknown as { portcullisClientAddressStamp?: boolean };

/** Subscribes once per process (instrumentation's `register`); later calls do nothing. */
export function installClientAddressStamp(options: { secret: string; trustedProxies: number }): void {
  if (processGlobal.portcullisClientAddressStamp) return;
  processGlobal.portcullisClientAddressStamp = true;
  subscribe('http.server.request.start', (message) => {
    const { request, socket } = message as RequestStart;
    const forwarded = request.headers['x-forwarded-for'];
    const address = clientAddress(
      socket.remoteAddress,
      Array.isArray(forwarded) ? forwarded.join(',') : forwarded,
      options.trustedProxies,
    );
    request.headers[CLIENT_ADDRESS_HEADER] = stampValue(address, options.secret);
  });
}
