import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorBody } from './api/errors.js';
import { MAX_HEADER_BYTES } from './limits.js';

/** How long a client still sending its oversized request is read (and ignored) after the answer, before it is cut off. */
const DRAIN_MS = 5_000;

/**
 * Node answers a request whose URL and headers pass MAX_HEADER_BYTES with a bare 431 and an empty body, and closes
 * the connection while the client is still sending, which the client sees as a reset. Here such a request gets the
 * API's JSON error, and the rest of what the client sends is read and dropped until it is done, so the answer arrives.
 */
export function answerOversizedRequests(server: Server): void {
  const answered = new WeakSet<Socket>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (answered.has(socket)) return;
    // A response already on its way on this connection (keep-alive) cannot be followed by another.
    const midResponse = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (!socket.writable || midResponse) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    if (error.code !== 'HPE_HEADER_OVERFLOW') {
      // What Node answers itself when no one listens: a timeout is 408, anything else a malformed request.
      const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const body: ErrorBody = {
      error: {
        code: 'request_too_large',
        message: `The request's URL and headers are larger than ${MAX_HEADER_BYTES / 1024} KB. Shorten the query (at most 500 characters are searched).`,
      },
    };
    const json = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n${json}`,
    );
    socket.on('data', () => {});
    socket.resume();
    socket.end();
    setTimeout(() => socket.destroy(), DRAIN_MS).unref();
  });
}
