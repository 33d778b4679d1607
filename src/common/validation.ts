// Global input validation: unknown fields are refused, values transformed to their declared types,
// and every failure is a 400 problem with one entry per field.
import {
  ArgumentMetadata,
  Injectable,
  PipeTransform,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { FieldError, ValidationFailedError } from './errors.js';

// Field names are echoed back only when they look like names: a client that sends personal data
// as a key (or a whole document as one) must not get it back in an error.
const shownName = (p: string) => (/^[\w$-]{1,64}$/.test(p) ? p : '(name not shown)');

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const property = shownName(e.property);
    const field = parent
      ? /^\d+$/.test(property)
        ? `${parent}[${property}]`
        : `${parent}.${property}`
      : property;
    const own = Object.entries(e.constraints ?? {}).map(([key, message]) => ({
      field,
      message: key === 'whitelistValidation' ? `${field} is not a known field` : message,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

const MAX_DEPTH = 32;

// Half of a UTF-16 pair on its own: not text, and validator.js's isEmail throws on it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a parsed body or query cannot be taken (null when it can): nesting deeper than any request
 * needs (the transformer recurses per level, and thousands of levels overflow the stack as a 500),
 * NUL characters, which PostgreSQL text and jsonb cannot store, or lone UTF-16 surrogates.
 */
export function unsafeInput(value: unknown): FieldError | null {
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    const field = path || 'body';
    if (typeof v === 'string') {
      if (v.includes('\u0000'))
        return { field, message: `${field} must not contain NUL characters` };
      if (LONE_SURROGATE.test(v))
        return { field, message: `${field} must be well-formed Unicode text` };
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH)
      return { field, message: `${field} is nested more than ${MAX_DEPTH} levels deep` };
    for (const [k, x] of Object.entries(v)) {
      const name = shownName(k);
      const at = Array.isArray(v) ? `${path}[${name}]` : path ? `${path}.${name}` : name;
      if (k.includes('\u0000'))
        return { field, message: 'field names must not contain NUL characters' };
      stack.push([x, at, depth + 1]);
    }
  }
  return null;
}

// Types Nest does not validate as a DTO: a body parameter of one of these is not an object body.
const NOT_DTOS: unknown[] = [String, Boolean, Number, Array, Object, Buffer, Date];

/**
 * Whether a whole body meant for a DTO is something other than a JSON object. Nest's ValidationPipe
 * reads `null` as `{}` and validates a scalar or an array against the DTO's (maybe all optional)
 * fields, so an action could run on a body the client never meant as one. No body at all stays
 * allowed: it is how a client says "no options" to an action whose fields are all optional.
 */
function notAnObjectBody(value: unknown, metadata: ArgumentMetadata): boolean {
  if (metadata.type !== 'body' || metadata.data !== undefined || value === undefined) return false;
  if (typeof metadata.metatype !== 'function' || NOT_DTOS.includes(metadata.metatype)) return false;
  return value === null || typeof value !== 'object' || Array.isArray(value);
}

class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (notAnObjectBody(value, metadata)) {
      throw new ValidationFailedError(
        [{ field: 'body', message: 'body must be a JSON object' }],
        'The request body must be a JSON object.',
      );
    }
    if (metadata.type === 'body' || metadata.type === 'query') {
      const unsafe = unsafeInput(value);
      if (unsafe) throw new ValidationFailedError([unsafe]);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(flatten(errors)),
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID.test(v);
}

/** Path ids must be UUIDs: anything else is a 400, never a database error. */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string, meta: ArgumentMetadata): string {
    if (!isUuid(value)) {
      throw new ValidationFailedError(
        [{ field: meta.data ?? 'id', message: 'must be a UUID' }],
        'The id in the path is not a UUID.',
      );
    }
    return value.toLowerCase();
  }
}

/** Parses an `If-Match: "3"` header; absent → undefined, malformed → 400. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!m)
    throw new ValidationFailedError([{ field: 'If-Match', message: 'must be a version like "3"' }]);
  return Number(m[1]);
}
