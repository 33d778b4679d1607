// The request id of the HTTP request being served, for audit rows written deep in a service.
import { AsyncLocalStorage } from 'node:async_hooks';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';

const storage = new AsyncLocalStorage<{ requestId: string }>();

export function currentRequestId(): string | null {
  return storage.getStore()?.requestId ?? null;
}

/** Runs each handler inside its request's context. */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<{ id?: string }>();
    const requestId = typeof req?.id === 'string' ? req.id : null;
    if (!requestId) return next.handle();
    return new Observable((subscriber) =>
      storage.run({ requestId }, () => next.handle().subscribe(subscriber)),
    );
  }
}
