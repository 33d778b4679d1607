// Structured logs (pino) with personal data kept out: request bodies are never logged, auth
// headers and cookies are redacted, and consent-link tokens are cut from URLs.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-access-reason"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.email',
  '*.name',
  '*.phone',
  '*.address',
  '*.postcode',
  '*.dateOfBirth',
  '*.serviceUser',
  '*.note',
  '*.notes',
];

/** Consent tokens are credentials: keep them out of every log line. */
export function scrubUrl(url: string | undefined): string {
  return (url ?? '').replace(/\/consent\/[^/?#]+/, '/consent/[token]').replace(/\?.*$/, '');
}

export function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(incoming)
    ? incoming
    : randomUUID();
}

/** Pino's options; `destination` replaces stdout (the tests read every line the service writes). */
export function loggerParams(level: string, destination?: DestinationStream): Params {
  const options: Options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? requestId(req),
    customProps: () => ({ service: 'sanctuary' }),
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: scrubUrl(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: (err: Error & { code?: string }) => ({ type: err.name, code: err.code }),
    },
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
  };
  return { pinoHttp: destination ? [options, destination] : options, forRoutes: ['*path'] };
}
