import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How long a refused request's leftover body is read and discarded before the socket closes. */
const LINGER_MS = 2_000;

/**
 * A lingering close (nginx's `lingering_close`) for a response that ends its connection while the
 * client may still be sending a body nobody will read (a 413). Closing a socket with unread bytes in
 * its receive buffer makes the kernel answer with RST, and a client that is still writing — most do
 * not read before they have sent the whole body — then loses the refusal it had already received.
 * Instead, once the response is written the socket is half-closed (FIN after the answer) and what
 * still arrives is read and discarded until the client closes its side or `lingerMs` has passed.
 */
export function closeAfterLingering(res: ServerResponse, lingerMs = LINGER_MS): void {
  const socket = res.socket as (Socket & { destroySoon?: () => void }) | null;
  if (!socket || socket.destroyed) return;
  // node:http ends a `Connection: close` response's socket with destroySoon() once it is written.
  socket.destroySoon = function lingeringClose(this: Socket) {
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), lingerMs);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    this.once('end', () => this.destroy());
    res.req?.resume();
    this.resume();
  };
}
