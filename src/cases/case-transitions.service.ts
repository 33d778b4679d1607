// The one engine every state change goes through: lock the case, check version and occurredAt,
// ask the state machine, then write the case, a timeline event and an audit row in one transaction.
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { Clock } from '../common/clock.js';
import { encContext, FieldCrypto } from '../common/crypto/field-crypto.js';
import { ConflictError, NotFoundError, RuleError, StaleVersionError } from '../common/errors.js';
import {
  ACTION_LABELS,
  IllegalTransitionError,
  nextStatus,
  type CaseAction,
  type CaseStatus,
} from './case-state-machine.js';
import { CASE_SELECT, type CaseRow } from './case-row.js';
import { returning } from '../database/sql.js';

/** Columns a transition may set besides status (whitelist: names go into SQL). */
const SETTABLE = new Set([
  'measures',
  'estimated_cost',
  'emergency_route',
  'contractor_id',
  'installed_at',
  'support_ended_at',
  'outcome_reason',
  'outcome_reasons',
  'exit_kind',
  'support_types',
  'resumed_relationship',
  'overdue',
  'personal_enc',
]);

/** Clock skew tolerated before a time counts as "in the future". */
const FUTURE_SKEW_MS = 60_000;

export interface Actor {
  id: string | null;
  schemeId: string;
  role: Principal['role'] | 'system' | 'landlord';
}

export interface TransitionOptions {
  at: Date;
  eventType: string;
  note?: string;
  data?: Record<string, unknown>;
  set?: Record<string, unknown>;
  returnTo?: CaseStatus;
}

export function illegal(err: IllegalTransitionError): ConflictError {
  const allowed = err.allowed.map((a) => ACTION_LABELS[a]);
  return new ConflictError(
    'CASE_ILLEGAL_TRANSITION',
    `This case is ${err.from}, so "${ACTION_LABELS[err.action]}" is not possible. ` +
      (allowed.length
        ? `Allowed now: ${allowed.join(', ')}.`
        : 'The case is finished: nothing more can change its status.'),
    { currentStatus: err.from, allowed },
  );
}

@Injectable()
export class CaseTransitions {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly crypto: FieldCrypto,
  ) {}

  /** A transaction, retried when PostgreSQL picks it as a deadlock or serialization victim. */
  async tx<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ds.transaction(fn);
      } catch (err) {
        const code =
          (err as { driverError?: { code?: string }; code?: string }).driverError?.code ??
          (err as { code?: string }).code;
        if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw err;
      }
    }
  }

  get manager(): EntityManager {
    return this.ds.manager;
  }

  now(): Date {
    return this.clock.now();
  }

  async find(m: EntityManager, schemeId: string, caseId: string, lock = false): Promise<CaseRow> {
    const rows: CaseRow[] = await m.query(
      `SELECT ${CASE_SELECT} FROM cases c WHERE c.id = $1 AND c.scheme_id = $2 ${lock ? 'FOR UPDATE' : ''}`,
      [caseId, schemeId],
    );
    if (!rows.length) throw new NotFoundError('case');
    return rows[0];
  }

  checkVersion(row: { version: number }, ifMatch: number | undefined): void {
    if (ifMatch !== undefined && ifMatch !== row.version) throw new StaleVersionError(row.version);
  }

  /** When an action happened: now by default; never in the future, never before the previous event. */
  occurredAt(
    row: CaseRow,
    occurredAt: string | undefined,
    notBefore?: { at: Date; what: string },
  ): Date {
    const now = this.clock.now();
    const at = occurredAt ? new Date(occurredAt) : now;
    if (at.getTime() > now.getTime() + FUTURE_SKEW_MS) {
      throw new RuleError(
        'OCCURRED_IN_FUTURE',
        'occurredAt is in the future: record things once they have happened.',
        [{ field: 'occurredAt', message: 'must not be in the future' }],
      );
    }
    const floor =
      notBefore && notBefore.at > row.lastEventAt
        ? notBefore
        : { at: row.lastEventAt, what: "the case's previous event" };
    if (at < floor.at) {
      throw new RuleError(
        'OCCURRED_BEFORE_PREVIOUS_EVENT',
        `occurredAt ${at.toISOString()} is before ${floor.what} (${floor.at.toISOString()}); the timeline must stay in order.`,
        [{ field: 'occurredAt', message: `must not be before ${floor.at.toISOString()}` }],
      );
    }
    return at;
  }

  /** Moves a locked case by `action`; writes the case, the event and the audit row. */
  async apply(
    m: EntityManager,
    actor: Actor,
    row: CaseRow,
    action: CaseAction,
    o: TransitionOptions,
  ): Promise<CaseRow> {
    let to: CaseStatus;
    try {
      to = nextStatus(action, row.status, o.returnTo);
    } catch (err) {
      if (err instanceof IllegalTransitionError) throw illegal(err);
      throw err;
    }
    const sets = [
      'status = $3',
      'version = version + 1',
      'status_changed_at = $4',
      'last_event_at = GREATEST(last_event_at, $4)',
      'updated_at = now()',
    ];
    const params: unknown[] = [row.id, row.version, to, o.at];
    for (const [col, value] of Object.entries(o.set ?? {})) {
      if (!SETTABLE.has(col)) throw new Error(`column ${col} is not settable by a transition`);
      params.push(value);
      sets.push(`${col} = $${params.length}`);
    }
    const [next] = await returning<CaseRow>(
      m,
      `UPDATE cases c SET ${sets.join(', ')} WHERE c.id = $1 AND c.version = $2 RETURNING ${CASE_SELECT}`,
      params,
    );
    if (!next) throw new StaleVersionError(row.version + 1);
    await this.event(m, actor, row, {
      type: o.eventType,
      from: row.status,
      to,
      at: o.at,
      data: o.data,
      note: o.note,
    });
    return next;
  }

  /** A timeline event with no status change (review, chase, revision…). */
  async event(
    m: EntityManager,
    actor: Actor,
    row: { id: string; schemeId: string },
    e: {
      type: string;
      from?: CaseStatus | null;
      to?: CaseStatus | null;
      at: Date;
      data?: Record<string, unknown>;
      note?: string;
    },
  ): Promise<void> {
    const recordedAt = this.clock.now();
    await m.query(
      `INSERT INTO case_events (case_id, scheme_id, type, from_status, to_status, occurred_at, recorded_at, actor_id, data, note_enc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        row.id,
        row.schemeId,
        e.type,
        e.from ?? null,
        e.to ?? null,
        e.at,
        recordedAt,
        actor.id,
        e.data ?? {},
        e.note ? this.crypto.encrypt(e.note, encContext('case_events', row.id, 'note')) : null,
      ],
    );
    await this.audit.write(
      {
        schemeId: row.schemeId,
        actorId: actor.id,
        action: `case.${e.type}`,
        entity: 'case',
        entityId: row.id,
        data: {
          ...(e.from !== undefined ? { fromStatus: e.from, toStatus: e.to } : {}),
          by: actor.role,
        },
      },
      m,
      recordedAt,
    );
  }

  /**
   * Timeline events without a status change or a note (what the chasing jobs record), many in two
   * statements: the events and their audit rows. Same rows as `event` writes one by one.
   */
  async events(
    m: EntityManager,
    list: {
      actor: Actor;
      row: { id: string; schemeId: string };
      type: string;
      at: Date;
      data: Record<string, unknown>;
    }[],
  ): Promise<void> {
    if (!list.length) return;
    const recordedAt = this.clock.now();
    await m.query(
      `INSERT INTO case_events (case_id, scheme_id, type, occurred_at, recorded_at, actor_id, data)
       SELECT u.case_id, u.scheme_id, u.type, u.occurred_at, $7, u.actor_id, u.data
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::uuid[], $6::jsonb[])
         AS u(case_id, scheme_id, type, occurred_at, actor_id, data)`,
      [
        list.map((e) => e.row.id),
        list.map((e) => e.row.schemeId),
        list.map((e) => e.type),
        list.map((e) => e.at),
        list.map((e) => e.actor.id),
        list.map((e) => JSON.stringify(e.data)),
        recordedAt,
      ],
    );
    await this.audit.writeMany(
      m,
      list.map((e) => ({
        schemeId: e.row.schemeId,
        actorId: e.actor.id,
        action: `case.${e.type}`,
        entity: 'case',
        entityId: e.row.id,
        data: { by: e.actor.role },
      })),
      recordedAt,
    );
  }

  /** Bumps the version of a case whose details changed without a status change. */
  async touch(m: EntityManager, row: CaseRow, set: Record<string, unknown> = {}): Promise<CaseRow> {
    const sets = ['version = version + 1', 'updated_at = now()'];
    const params: unknown[] = [row.id, row.version];
    for (const [col, value] of Object.entries(set)) {
      if (
        !SETTABLE.has(col) &&
        ![
          'tenure',
          'landlord_id',
          'risk_level',
          'marac_referred',
          'characteristics',
          'priority',
          'restricted',
          'restricted_to',
          'assigned_to',
          'household_adults',
          'household_children',
          'person_hash',
          'postcode_hash',
        ].includes(col)
      ) {
        throw new Error(`column ${col} is not settable`);
      }
      params.push(value);
      sets.push(`${col} = $${params.length}`);
    }
    const [next] = await returning<CaseRow>(
      m,
      `UPDATE cases c SET ${sets.join(', ')} WHERE c.id = $1 AND c.version = $2 RETURNING ${CASE_SELECT}`,
      params,
    );
    if (!next) throw new StaleVersionError(row.version + 1);
    return next;
  }
}
