// Owns the domain's error vocabulary: each error has a stable code, an HTTP status and a detail a
// person can act on. The problem filter turns them into RFC 9457 problem+json in one place.
export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail);
  }
}

export class ValidationFailedError extends DomainError {
  constructor(errors: FieldError[], detail = 'The request is not valid: see errors.') {
    super('VALIDATION_FAILED', 400, 'Bad Request', detail, errors);
  }
}

export class NotFoundError extends DomainError {
  constructor(what = 'resource') {
    super('NOT_FOUND', 404, 'Not Found', `No such ${what}.`);
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail = 'Your role may not use this endpoint.') {
    super('FORBIDDEN', 403, 'Forbidden', detail);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(detail = 'Sign in first: send a valid bearer token.') {
    super('UNAUTHORIZED', 401, 'Unauthorized', detail);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, detail: string, extra?: Record<string, unknown>) {
    super(code, 409, 'Conflict', detail, undefined, extra);
  }
}

export class StaleVersionError extends ConflictError {
  constructor(current: number) {
    super(
      'VERSION_CONFLICT',
      `The record changed since you read it (it is now at version ${current}): reload and try again.`,
      { currentVersion: current },
    );
  }
}

export class RuleError extends DomainError {
  constructor(code: string, detail: string, errors?: FieldError[]) {
    super(code, 422, 'Unprocessable Content', detail, errors);
  }
}

export class TooManyRequestsError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'TOO_MANY_REQUESTS',
      429,
      'Too Many Requests',
      `Too many attempts: try again in ${retryAfterSeconds} seconds.`,
    );
  }
}

export class UnavailableError extends DomainError {
  constructor(detail = 'The service is busy or a dependency is unavailable: try again shortly.') {
    super('UNAVAILABLE', 503, 'Service Unavailable', detail);
  }
}
