// Retried creates with the same Idempotency-Key make one record. The key is claimed (committed at
// once) before the create runs: a retry while the first is still running gets 409, a retry after it
// replays the first result (same id), the same key with a different body gets 422, and a create that
// fails releases its claim. Keys are scoped to the caller: another user's key never replays.
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { ConflictError, RuleError, ValidationFailedError } from '../common/errors.js';

/** A claim older than this with no result belongs to a process that died: it may be taken over. */
const ABANDONED_AFTER_MS = 2 * 60_000;

export function requestHash(body: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body) ?? null))
    .digest('hex');
}

export function checkKey(key: string | undefined): string | undefined {
  if (key === undefined || key === '') return undefined;
  if (!/^[A-Za-z0-9_.:-]{1,200}$/.test(key)) {
    throw new ValidationFailedError([
      { field: 'Idempotency-Key', message: 'must be 1-200 letters, digits, _ . : -' },
    ]);
  }
  return key;
}

/** Called inside the create's transaction, so the record and the key's result commit together. */
export type Complete = (m: EntityManager, resourceId: string) => Promise<void>;

@Injectable()
export class IdempotencyService {
  constructor(private readonly ds: DataSource) {}

  async run<T>(
    userId: string,
    scope: string,
    key: string | undefined,
    body: unknown,
    create: (complete: Complete) => Promise<T>,
    replay: (resourceId: string) => Promise<T>,
  ): Promise<T> {
    if (!key) return create(async () => undefined);
    const hash = requestHash(body);
    const claimed = await this.ds.query(
      `INSERT INTO idempotency_keys (user_id, scope, key, request_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING key`,
      [userId, scope, key, hash],
    );
    if (!claimed.length) {
      const [existing] = await this.ds.query(
        `SELECT request_hash, resource_id, created_at FROM idempotency_keys WHERE user_id = $1 AND scope = $2 AND key = $3`,
        [userId, scope, key],
      );
      if (existing && existing.request_hash !== hash) {
        throw new RuleError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was used with a different request body: use a new key for a new request.',
        );
      }
      if (existing?.resource_id) return replay(existing.resource_id);
      const takenOver = existing
        ? await this.ds.query(
            `UPDATE idempotency_keys SET created_at = now() WHERE user_id = $1 AND scope = $2 AND key = $3
             AND resource_id IS NULL AND created_at < now() - ($4 || ' milliseconds')::interval RETURNING key`,
            [userId, scope, key, String(ABANDONED_AFTER_MS)],
          )
        : [];
      if (!(Array.isArray(takenOver[0]) ? takenOver[0] : takenOver).length) {
        throw new ConflictError(
          'IDEMPOTENCY_IN_PROGRESS',
          'A request with this Idempotency-Key is still being processed: retry in a moment.',
        );
      }
    }
    try {
      return await create(async (m, resourceId) => {
        await m.query(
          `UPDATE idempotency_keys SET resource_id = $4, status_code = 201 WHERE user_id = $1 AND scope = $2 AND key = $3`,
          [userId, scope, key, resourceId],
        );
      });
    } catch (err) {
      await this.ds
        .query(
          `DELETE FROM idempotency_keys WHERE user_id = $1 AND scope = $2 AND key = $3 AND resource_id IS NULL`,
          [userId, scope, key],
        )
        .catch(() => undefined);
      throw err;
    }
  }
}
