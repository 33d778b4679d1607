// Every read of a case's personal data and every change writes an audit row, in the same
// transaction as the change (so a rolled-back change leaves no audit row behind).
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { currentRequestId } from '../common/request-context.js';

export interface AuditEntry {
  schemeId: string | null;
  actorId: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  data?: Record<string, unknown>;
  /** defaults to the request being served (outside a handler, e.g. in the error filter, pass it) */
  requestId?: string | null;
}

@Injectable()
export class AuditService {
  constructor(private readonly ds: DataSource) {}

  async write(
    entry: AuditEntry,
    manager: EntityManager = this.ds.manager,
    at?: Date,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (scheme_id, actor_id, action, entity, entity_id, data, at, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, now()), $8)`,
      [
        entry.schemeId,
        entry.actorId,
        entry.action,
        entry.entity,
        entry.entityId,
        entry.data ?? {},
        at ?? null,
        entry.requestId ?? currentRequestId(),
      ],
    );
  }

  /** Many entries in one statement, all at `at` (batched chasing). */
  async writeMany(manager: EntityManager, entries: AuditEntry[], at: Date): Promise<void> {
    if (!entries.length) return;
    await manager.query(
      `INSERT INTO audit_log (scheme_id, actor_id, action, entity, entity_id, data, at, request_id)
       SELECT u.scheme_id, u.actor_id, u.action, u.entity, u.entity_id, u.data, $7, $8
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::jsonb[])
         AS u(scheme_id, actor_id, action, entity, entity_id, data)`,
      [
        entries.map((e) => e.schemeId),
        entries.map((e) => e.actorId),
        entries.map((e) => e.action),
        entries.map((e) => e.entity),
        entries.map((e) => e.entityId),
        entries.map((e) => JSON.stringify(e.data ?? {})),
        at,
        currentRequestId(),
      ],
    );
  }
}
