// Retried creates with the same Idempotency-Key make one record: the key is claimed in the same
// transaction as the create (a concurrent retry waits on the claim, then replays the first result);
// the same key with a different body is refused.
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { RuleError, ValidationFailedError } from '../common/errors.js';

export type Claim = { replay: false } | { replay: true; resourceId: string };

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

@Injectable()
export class IdempotencyService {
  async claim(
    m: EntityManager,
    userId: string,
    scope: string,
    key: string | undefined,
    body: unknown,
  ): Promise<Claim> {
    if (!key) return { replay: false };
    const hash = requestHash(body);
    const inserted = await m.query(
      `INSERT INTO idempotency_keys (user_id, scope, key, request_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING key`,
      [userId, scope, key, hash],
    );
    if (inserted.length) return { replay: false };
    const [existing] = await m.query(
      `SELECT request_hash, resource_id FROM idempotency_keys WHERE user_id = $1 AND scope = $2 AND key = $3`,
      [userId, scope, key],
    );
    if (!existing || existing.request_hash !== hash) {
      throw new RuleError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used with a different request body: use a new key for a new request.',
      );
    }
    return { replay: true, resourceId: existing.resource_id };
  }

  async complete(
    m: EntityManager,
    userId: string,
    scope: string,
    key: string | undefined,
    resourceId: string,
  ): Promise<void> {
    if (!key) return;
    await m.query(
      `UPDATE idempotency_keys SET resource_id = $4, status_code = 201 WHERE user_id = $1 AND scope = $2 AND key = $3`,
      [userId, scope, key, resourceId],
    );
  }
}
