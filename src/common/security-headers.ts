// Security headers (helmet's defaults and our CSP), worked out once at start-up. @fastify/helmet
// runs helmet's whole middleware chain — parsing the CSP directives again — on every request;
// the answer never changes, so each reply just gets the same header values.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

export const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: [`'self'`],
      styleSrc: [`'self'`, `'unsafe-inline'`],
      imgSrc: [`'self'`, 'data:'],
      scriptSrc: [`'self'`, `'unsafe-inline'`],
    },
  },
};

/** The headers helmet sets for these options (lower-case names), and the ones it removes. */
export function securityHeaders(options: Readonly<HelmetOptions> = HELMET_OPTIONS): {
  set: Record<string, string>;
  removed: string[];
} {
  const set: Record<string, string> = {};
  const removed: string[] = [];
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete set[name.toLowerCase()];
      removed.push(name.toLowerCase());
    },
  };
  let failed: unknown = null;
  helmet(options)(
    {} as IncomingMessage,
    res as unknown as ServerResponse,
    (err?: unknown) => (failed = err ?? null),
  );
  if (failed) throw failed;
  return { set, removed };
}
