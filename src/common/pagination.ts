// Keyset pagination: `?limit` (1–200, default 50) and an opaque `?cursor` naming the last row seen.
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ValidationFailedError } from './errors.js';
import { isUuid } from './validation.js';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface Cursor {
  at: string;
  id: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function decodeCursor(cursor: string | undefined): Cursor | null {
  if (!cursor) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) throw new Error('bad');
    const [at, id] = parsed as unknown[];
    // Only what encodeCursor writes: anything else Date.parse accepts (a bare year, an RFC 2822
    // date, an extended year) would reach PostgreSQL and fail there as a 500.
    if (typeof at !== 'string' || !ISO_UTC.test(at) || !isUuid(id)) throw new Error('bad');
    if (new Date(at).toISOString() !== at) throw new Error('bad');
    return { at, id };
  } catch {
    throw new ValidationFailedError([
      { field: 'cursor', message: 'is not a cursor this API issued' },
    ]);
  }
}

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

/** Rows fetched with limit+1 → a page and its next cursor. */
export function toPage<R extends { id: string }, T>(
  rows: R[],
  limit: number,
  at: (r: R) => Date,
  map: (r: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return {
    items: shown.map(map),
    nextCursor: more && last ? encodeCursor(at(last), last.id) : null,
  };
}
