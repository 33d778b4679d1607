// Answers the errors Fastify raises before a request reaches Nest — a path segment over the
// router's limit, a URL that cannot be decoded, a malformed request line or oversized headers — as
// problem+json too, instead of Fastify's own JSON shape.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemType } from './problem.filter.js';

const DETAILS: Record<string, string> = {
  FST_ERR_MAX_PARAM_LENGTH: 'A part of the path is too long.',
  FST_ERR_BAD_URL: 'The URL is not valid.',
  HPE_HEADER_OVERFLOW: 'The request headers are too large.',
  ERR_HTTP_REQUEST_TIMEOUT: 'The request took too long to arrive.',
};

function problem(status: number, code: string | undefined, instance: string) {
  return {
    type: problemType(`HTTP_${status}`),
    title: STATUS_CODES[status] ?? 'Bad Request',
    status,
    detail: (code && DETAILS[code]) ?? 'The request is not valid HTTP.',
    instance,
    code: `HTTP_${status}`,
  };
}

/** Fastify's `frameworkErrors` option: routing errors raised before any handler runs. */
export function frameworkErrors(
  err: { statusCode?: number; code?: string },
  _req: FastifyRequest,
  reply: FastifyReply,
): void {
  const status =
    err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  // The path is not echoed: it may be the very thing that is malformed or huge.
  void reply
    .status(status)
    .header('cache-control', 'no-store')
    .type('application/problem+json')
    .send(problem(status, err.code, ''));
}

/** Fastify's `clientErrorHandler` option: a request Node's HTTP parser could not read. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify(problem(status, err.code, ''));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
