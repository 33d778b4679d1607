// Every error leaves as application/problem+json (RFC 9457). Unknown errors are logged by id only
// and answered with a generic 500 so no internal detail (or personal data) leaks. A refusal by an
// access rule is audited here, committed before the answer leaves.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { accessDenial } from '../audit/access-denied.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from './errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code?: string;
  errors?: { field: string; message: string }[];
  [k: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemType(code: string): string {
  return `https://sanctuary.local/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

const TRANSIENT_PG = new Set([
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '53300',
  '40001',
  '40P01',
  // Socket-level failures while the server restarts (seen in test/faults/postgres-restart).
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

export function toProblem(err: unknown, instance: string): Problem {
  if (err instanceof DomainError) {
    return {
      type: problemType(err.code),
      title: err.title,
      status: err.status,
      detail: err.detail,
      instance,
      code: err.code,
      ...(err.errors ? { errors: err.errors } : {}),
      ...(err.extra ?? {}),
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code = status === 404 ? 'NOT_FOUND' : `HTTP_${status}`;
    const detail =
      status === 404
        ? 'No such resource.'
        : status < 500
          ? plainMessage(err)
          : 'Something went wrong.';
    return {
      type: problemType(code),
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      instance,
      code,
    };
  }
  const anyErr = err as { statusCode?: number; code?: string; driverError?: { code?: string } };
  // Fastify's own client errors (malformed JSON, wrong content type, body too large).
  if (
    typeof anyErr?.statusCode === 'number' &&
    anyErr.statusCode >= 400 &&
    anyErr.statusCode < 500
  ) {
    const status = anyErr.statusCode;
    const detail =
      anyErr.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'Send JSON with Content-Type: application/json.'
        : anyErr.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'The request body is too large.'
          : status === 400
            ? 'The request body is not valid JSON.'
            : (TITLES[status] ?? 'Bad request');
    return {
      type: problemType(`HTTP_${status}`),
      title: TITLES[status] ?? 'Bad Request',
      status,
      detail,
      instance,
      code: `HTTP_${status}`,
    };
  }
  const pgCode =
    err instanceof QueryFailedError ? (anyErr.driverError?.code ?? anyErr.code) : anyErr?.code;
  if (
    (typeof pgCode === 'string' && TRANSIENT_PG.has(pgCode)) ||
    // TypeORM's own errors when a connection died under a transaction.
    [
      'QueryRunnerProviderAlreadyReleasedError',
      'QueryRunnerAlreadyReleasedError',
      'ConnectionIsNotSetError',
      'CannotConnectAlreadyConnectedError',
    ].includes((err as Error)?.name) ||
    /Connection terminated|ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      (err as Error)?.message ?? '',
    )
  ) {
    return {
      type: problemType('UNAVAILABLE'),
      title: 'Service Unavailable',
      status: 503,
      detail: 'The database is busy or unavailable: try again shortly.',
      instance,
      code: 'UNAVAILABLE',
    };
  }
  return {
    type: problemType('INTERNAL'),
    title: 'Internal Server Error',
    status: 500,
    detail: 'Something went wrong; it has been logged.',
    instance,
    code: 'INTERNAL',
  };
}

function plainMessage(err: HttpException): string {
  const res = err.getResponse();
  if (typeof res === 'string') return res;
  const msg = (res as { message?: unknown }).message;
  return typeof msg === 'string' ? msg : (TITLES[err.getStatus()] ?? 'Error');
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  constructor(private readonly audit: AuditService) {}

  async catch(err: unknown, host: ArgumentsHost): Promise<void> {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const instance = (req?.url ?? '').split('?')[0];
    const problem = toProblem(err, instance);
    if (problem.status >= 500) {
      // Never log the error message of a query: parameters may hold personal data.
      this.logger.error(
        {
          reqId: req?.id,
          errName: (err as Error)?.name,
          pgCode: (err as { code?: string })?.code,
          status: problem.status,
        },
        problem.status === 503 ? 'dependency unavailable' : 'unhandled error',
      );
    }
    if (problem.status === 429 && err instanceof DomainError && 'retryAfterSeconds' in err) {
      void reply.header(
        'Retry-After',
        String((err as { retryAfterSeconds: number }).retryAfterSeconds),
      );
    }
    await this.auditDenial(req, problem.status);
    void reply.status(problem.status).type('application/problem+json').send(problem);
  }

  /**
   * Writes the `access.denied` row of a refused request (autocommit, awaited: a client that reads
   * the audit right after the answer finds it). A failure to write it never changes the answer.
   */
  private async auditDenial(req: FastifyRequest | undefined, status: number): Promise<void> {
    if (status !== 403 && status !== 404) return;
    const r = req as (FastifyRequest & { principal?: Principal }) | undefined;
    try {
      const entry = accessDenial(
        {
          principal: r?.principal,
          method: r?.method ?? '',
          route: r?.routeOptions?.url,
          params: r?.params as Record<string, string | undefined> | undefined,
          requestId: typeof r?.id === 'string' ? r.id : null,
        },
        status,
      );
      if (entry) await this.audit.write(entry);
    } catch (e) {
      this.logger.warn(
        { reqId: r?.id, errName: (e as Error)?.name, pgCode: (e as { code?: string })?.code },
        'access denial not audited',
      );
    }
  }
}
