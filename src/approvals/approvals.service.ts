// Landlord consent and cost approvals: creating them with working-day due dates, the landlord's
// single-use consent link, and decisions from any route (IDVA on the landlord's behalf, the link,
// a scheme manager for costs). A landlord refusal makes the case unsuccessful: landlord_refusal.
import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { encContext, FieldCrypto } from '../common/crypto/field-crypto.js';
import { ConflictError, NotFoundError, RuleError, StaleVersionError } from '../common/errors.js';
import { ListQuery } from '../common/list-query.js';
import { decodeCursor, toPage, type Page } from '../common/pagination.js';
import { workingDaysDeadline } from '../common/working-days.js';
import { AppConfig } from '../config/app-config.js';
import { returning } from '../database/sql.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { caseAccess, visibleToSql } from '../cases/case-access.js';
import type { CaseRow, Measure, Personal } from '../cases/case-row.js';
import { CaseTransitions, type Actor } from '../cases/case-transitions.service.js';
import { actorOf, CasesService } from '../cases/cases.service.js';
import { toCaseResponse, type CaseResponse } from '../cases/case.response.js';
import type { ActionDto, SurveyResultDto } from '../cases/dto/case.dto.js';
import { WorkService } from '../cases/work.service.js';
import type {
  ApprovalResponse,
  ConsentDecisionDto,
  ConsentViewResponse,
  DecisionDto,
  ListApprovalsQuery,
} from './approvals.dto.js';

export interface ApprovalRow {
  id: string;
  scheme_id: string;
  case_id: string;
  case_reference: string;
  kind: 'landlord_consent' | 'cost' | 'survey';
  status: string;
  version: number;
  retrospective: boolean;
  amount: string | null;
  due_at: Date;
  next_chase_at: Date | null;
  chase_count: number;
  last_chased_at: Date | null;
  escalated_at: Date | null;
  token_hash: string | null;
  token_enc: string | null;
  token_expires_at: Date | null;
  token_used_at: Date | null;
  decided_at: Date | null;
  respondent_enc: string | null;
  created_at: Date;
}

const APPROVAL_SELECT = `a.*, c.reference AS case_reference`;
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

@Injectable()
export class ApprovalsService {
  constructor(
    private readonly engine: CaseTransitions,
    private readonly cases: CasesService,
    private readonly crypto: FieldCrypto,
    private readonly work: WorkService,
    private readonly notifications: NotificationsService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  toResponse(a: ApprovalRow, consentUrl?: string): ApprovalResponse {
    const now = this.engine.now();
    return {
      id: a.id,
      caseId: a.case_id,
      caseReference: a.case_reference,
      kind: a.kind,
      status: a.status,
      version: a.version,
      retrospective: a.retrospective,
      amount: a.amount === null ? null : Number(a.amount),
      dueAt: a.due_at.toISOString(),
      overdue:
        a.status === 'pending' && a.due_at < now && (a.next_chase_at !== null || !a.retrospective),
      chaseCount: a.chase_count,
      lastChasedAt: a.last_chased_at?.toISOString() ?? null,
      escalatedAt: a.escalated_at?.toISOString() ?? null,
      decidedAt: a.decided_at?.toISOString() ?? null,
      respondent: a.respondent_enc
        ? this.crypto.decrypt(a.respondent_enc, encContext('approvals', a.id, 'respondent'))
        : null,
      createdAt: a.created_at.toISOString(),
      ...(consentUrl ? { consentUrl } : {}),
    };
  }

  consentUrl(token: string): string {
    return `${this.config.env.PUBLIC_BASE_URL.replace(/\/$/, '')}/api/v1/consent/${token}`;
  }

  async find(m: EntityManager, schemeId: string, id: string, lock = false): Promise<ApprovalRow> {
    const rows: ApprovalRow[] = await m.query(
      `SELECT ${APPROVAL_SELECT} FROM approvals a JOIN cases c ON c.id = a.case_id WHERE a.id = $1 AND a.scheme_id = $2 ${lock ? 'FOR UPDATE OF a' : ''}`,
      [id, schemeId],
    );
    if (!rows.length) throw new NotFoundError('approval');
    return rows[0];
  }

  /** Creates a landlord consent approval with a single-use link, and emails the landlord. */
  async createConsent(
    m: EntityManager,
    actor: Actor,
    row: CaseRow,
    opts: { retrospective: boolean; at: Date },
  ): Promise<{ approval: ApprovalRow; url: string }> {
    const settings = await this.work.settings(m, row.schemeId);
    const token = randomBytes(32).toString('base64url');
    const id = randomUUID();
    const now = this.engine.now();
    const due = workingDaysDeadline(opts.at, settings.consentDueWorkingDays);
    const horizonDays = Math.max(
      this.config.env.CONSENT_LINK_DAYS,
      (settings.maxChases + 1) * settings.chaseEveryWorkingDays * 2 +
        settings.consentDueWorkingDays * 2,
    );
    await m.query(
      `INSERT INTO approvals (id, scheme_id, case_id, kind, retrospective, due_at, next_chase_at, token_hash, token_enc, token_expires_at, created_by)
       VALUES ($1, $2, $3, 'landlord_consent', $4, $5, $6, $7, $8, $9, $10)`,
      [
        id,
        row.schemeId,
        row.id,
        opts.retrospective,
        due,
        opts.retrospective ? null : due,
        tokenHash(token),
        this.crypto.encrypt(token, encContext('approvals', id, 'token')),
        new Date(now.getTime() + horizonDays * 86_400_000),
        actor.id,
      ],
    );
    if (!opts.retrospective) await this.work.scheduleApprovalChase(m, id, 1, due);
    const url = this.consentUrl(token);
    const [landlord] = await m.query(`SELECT email FROM landlords WHERE id = $1`, [row.landlordId]);
    if (landlord) {
      const p = this.cases.personal(row);
      await this.notifications.email(m, {
        schemeId: row.schemeId,
        kind: 'consent_request',
        caseId: row.id,
        to: landlord.email,
        // The address goes in the (encrypted) body only: subjects are stored in the clear and show
        // in mail listings and server logs.
        subject: `Consent requested for security works (${row.reference})`,
        body: landlordEmail(p, row.measures ?? [], due, url, false),
        dedupeKey: `consent-request:${id}`,
      });
    }
    await this.engine.event(m, actor, row, {
      type: 'consent_requested',
      at: opts.at,
      data: { approvalId: id, retrospective: opts.retrospective, dueAt: due.toISOString() },
    });
    return { approval: await this.find(m, row.schemeId, id), url };
  }

  async requestConsent(
    me: Principal,
    caseId: string,
    dto: ActionDto,
    ifMatch?: number,
    why?: string,
  ): Promise<ApprovalResponse> {
    return this.engine.tx(async (m) => {
      const row = await this.cases.visible(m, me, caseId, why, true);
      this.engine.checkVersion(row, ifMatch);
      if (row.tenure === 'owner_occupier' || !row.landlordId) {
        throw new RuleError(
          'CONSENT_NOT_NEEDED',
          'An owner-occupied home needs no landlord consent: order the install directly.',
        );
      }
      const at = this.engine.occurredAt(row, dto.occurredAt);
      const next = await this.engine.apply(m, actorOf(me), row, 'request_consent', {
        at,
        eventType: 'awaiting_consent',
        note: dto.note,
      });
      const { approval, url } = await this.createConsent(m, actorOf(me), next, {
        retrospective: false,
        at,
      });
      return this.toResponse(approval, url);
    });
  }

  /** The survey result: measures and cost; over the threshold a scheme manager must approve the cost. */
  async recordSurvey(
    me: Principal,
    caseId: string,
    dto: SurveyResultDto,
    ifMatch?: number,
    why?: string,
  ): Promise<CaseResponse> {
    return this.engine.tx(async (m) => {
      const row = await this.cases.visible(m, me, caseId, why, true);
      this.engine.checkVersion(row, ifMatch);
      for (const [i, measure] of dto.measures.entries()) {
        if (measure.code === 'other' && !measure.location) {
          throw new RuleError(
            'MEASURE_OTHER_NEEDS_TEXT',
            'A measure of code "other" needs a location saying what it is.',
            [{ field: `measures[${i}].location`, message: 'is required for code other' }],
          );
        }
      }
      const measures: Measure[] = dto.measures.map((x) => ({
        code: x.code,
        quantity: x.quantity,
        ...(x.location ? { location: x.location } : {}),
        estimatedCost: x.estimatedCost,
      }));
      const total = Math.round(measures.reduce((s, x) => s + x.estimatedCost * 100, 0)) / 100;
      const settings = await this.work.settings(m, row.schemeId);
      const actor = actorOf(me);
      let next: CaseRow;
      const at = this.engine.occurredAt(row, dto.occurredAt);
      if (row.status === 'survey_booked') {
        next = await this.engine.apply(m, actor, row, 'record_survey', {
          at,
          eventType: 'surveyed',
          note: dto.note,
          data: { measureCount: measures.length, estimatedCost: total },
          set: { measures: JSON.stringify(measures), estimated_cost: total },
        });
      } else if (
        ['surveyed', 'awaiting_consent'].includes(row.status) ||
        (row.emergencyRoute &&
          ['install_ordered', 'install_scheduled', 'in_support'].includes(row.status))
      ) {
        // A revised survey (or the survey an emergency install skipped) — no change of status.
        await this.engine.event(m, actor, row, {
          type: 'survey_revised',
          at,
          note: dto.note,
          data: { measureCount: measures.length, estimatedCost: total },
        });
        next = await this.engine.touch(m, row, {
          measures: JSON.stringify(measures),
          estimated_cost: total,
        });
        await m.query(
          `UPDATE approvals SET status = 'granted', decided_at = $2, decided_by = $3, next_chase_at = NULL, version = version + 1 WHERE case_id = $1 AND kind = 'survey' AND status = 'pending'`,
          [row.id, at, me.id],
        );
      } else {
        throw new ConflictError(
          'CASE_ILLEGAL_TRANSITION',
          `This case is ${row.status}: a survey result can be recorded once the survey is booked.`,
          { currentStatus: row.status, allowed: [] },
        );
      }
      await m.query(
        `UPDATE approvals SET status = 'withdrawn', next_chase_at = NULL, version = version + 1 WHERE case_id = $1 AND kind = 'cost' AND status = 'pending'`,
        [row.id],
      );
      if (total > settings.costApprovalThreshold) await this.createCost(m, actor, next, total);
      return toCaseResponse(next, this.cases.personal(next), this.engine.now());
    });
  }

  private async createCost(
    m: EntityManager,
    actor: Actor,
    row: CaseRow,
    amount: number,
  ): Promise<void> {
    const settings = await this.work.settings(m, row.schemeId);
    const due = workingDaysDeadline(this.engine.now(), settings.consentDueWorkingDays);
    const [{ id }] = await m.query(
      `INSERT INTO approvals (scheme_id, case_id, kind, amount, due_at, next_chase_at, retrospective, created_by)
       VALUES ($1, $2, 'cost', $3, $4, $4, $5, $6) RETURNING id`,
      [row.schemeId, row.id, amount, due, row.status === 'in_support', actor.id],
    );
    await this.work.scheduleApprovalChase(m, id, 1, due);
    const managers = await this.notifications.managers(m, row.schemeId);
    await this.notifications.tasks(m, {
      schemeId: row.schemeId,
      userIds: managers.map((u) => u.id),
      kind: 'cost_approval_needed',
      caseId: row.id,
      approvalId: id,
      dueAt: due,
      dedupeKey: `cost-needed:${id}`,
    });
    await this.engine.event(m, actor, row, {
      type: 'cost_approval_requested',
      at: this.engine.now(),
      data: { approvalId: id, amount, dueAt: due.toISOString() },
    });
  }

  async list(me: Principal, q: ListApprovalsQuery): Promise<Page<ApprovalResponse>> {
    const list = new ListQuery('a', me.schemeId, q.limit ?? 50);
    if (me.role === 'idva') list.add((p) => visibleToSql('c', `${p}::uuid`), me.id);
    if (q.status) list.add((p) => `a.status = ${p}`, q.status);
    if (q.kind) list.add((p) => `a.kind = ${p}`, q.kind);
    if (q.overdue) {
      const overdue = (p: string) =>
        `(a.status = 'pending' AND a.due_at < ${p} AND (a.next_chase_at IS NOT NULL OR NOT a.retrospective))`;
      list.add((p) => (q.overdue === 'true' ? overdue(p) : `NOT ${overdue(p)}`), this.engine.now());
    }
    const [sql, params] = list
      .after(decodeCursor(q.cursor))
      .build(APPROVAL_SELECT, 'approvals a JOIN cases c ON c.id = a.case_id');
    const rows: ApprovalRow[] = await this.engine.manager.query(sql, params);
    return toPage(
      rows,
      list.limit,
      (r) => r.created_at,
      (r) => this.toResponse(r),
    );
  }

  async get(me: Principal, id: string): Promise<ApprovalResponse> {
    return this.engine.tx(async (m) => {
      const a = await this.find(m, me.schemeId!, id);
      const row = await this.engine.find(m, me.schemeId!, a.case_id);
      if (caseAccess(me, row) === 'hidden') throw new NotFoundError('approval');
      return this.toResponse(a);
    });
  }

  async decide(
    me: Principal,
    id: string,
    dto: DecisionDto,
    ifMatch?: number,
  ): Promise<ApprovalResponse> {
    return this.engine.tx(async (m) => {
      const a0 = await this.find(m, me.schemeId!, id);
      // Lock order: case, then approval (the same order every writer uses).
      const row = await this.engine.find(m, me.schemeId!, a0.case_id, true);
      if (caseAccess(me, row) === 'hidden') throw new NotFoundError('approval');
      const a = await this.find(m, me.schemeId!, id, true);
      if (ifMatch !== undefined && ifMatch !== a.version) throw new StaleVersionError(a.version);
      if (a.kind === 'cost' && me.role !== 'scheme_manager') {
        throw new NotFoundError('approval'); // IDVAs may not decide costs; do not reveal more
      }
      if (a.kind === 'survey') {
        throw new RuleError(
          'SURVEY_APPROVAL',
          'A missing survey is fulfilled by recording the survey result (POST /cases/:id/survey/result).',
        );
      }
      const at = this.decisionTime(row, a, dto.occurredAt);
      const decided = await this.applyDecision(m, actorOf(me), row, a, {
        decision: dto.decision,
        respondent: dto.respondent,
        reason: dto.reason,
        at,
        via: me.role === 'idva' ? 'recorded by the IDVA' : 'recorded by a scheme manager',
      });
      return this.toResponse(decided);
    });
  }

  private decisionTime(row: CaseRow, a: ApprovalRow, occurredAt?: string): Date {
    const at = occurredAt ? new Date(occurredAt) : this.engine.now();
    if (at.getTime() > this.engine.now().getTime() + 60_000) {
      throw new RuleError('OCCURRED_IN_FUTURE', 'occurredAt is in the future.', [
        { field: 'occurredAt', message: 'must not be in the future' },
      ]);
    }
    if (at < a.created_at && at < row.lastEventAt) {
      throw new RuleError(
        'OCCURRED_BEFORE_PREVIOUS_EVENT',
        `occurredAt is before the request was made (${a.created_at.toISOString()}).`,
        [{ field: 'occurredAt', message: 'must not be before the request' }],
      );
    }
    return at;
  }

  private async applyDecision(
    m: EntityManager,
    actor: Actor,
    row: CaseRow,
    a: ApprovalRow,
    d: {
      decision: 'granted' | 'refused';
      respondent: string;
      reason?: string;
      at: Date;
      via: string;
    },
  ): Promise<ApprovalRow> {
    if (a.status !== 'pending') {
      throw new ConflictError(
        'APPROVAL_ALREADY_DECIDED',
        `This approval is already ${a.status}; a decision cannot be changed.`,
        { currentStatus: a.status },
      );
    }
    const [updated] = await returning<{ id: string }>(
      m,
      `UPDATE approvals SET status = $2, decided_at = $3, decided_by = $4, respondent_enc = $5, reason_enc = $6, next_chase_at = NULL,
         version = version + 1, token_used_at = COALESCE(token_used_at, $3)
       WHERE id = $1 AND status = 'pending' RETURNING id`,
      [
        a.id,
        d.decision,
        d.at,
        actor.role === 'landlord' ? null : actor.id,
        this.crypto.encrypt(d.respondent, encContext('approvals', a.id, 'respondent')),
        d.reason ? this.crypto.encrypt(d.reason, encContext('approvals', a.id, 'reason')) : null,
      ],
    );
    if (!updated)
      throw new ConflictError('APPROVAL_ALREADY_DECIDED', 'This approval was decided meanwhile.');
    const type = a.kind === 'cost' ? `cost_${d.decision}` : `consent_${d.decision}`;
    const beforeInstall = [
      'surveyed',
      'awaiting_consent',
      'install_ordered',
      'install_scheduled',
      'accepted',
      'survey_booked',
    ].includes(row.status);
    if (a.kind === 'landlord_consent' && d.decision === 'refused') {
      if (beforeInstall) {
        const at = d.at < row.lastEventAt ? row.lastEventAt : d.at;
        const next = await this.engine.apply(m, actor, row, 'mark_unsuccessful', {
          at,
          eventType: 'unsuccessful',
          data: { reason: 'landlord_refusal', approvalId: a.id, via: d.via },
          set: { outcome_reason: 'landlord_refusal' },
        });
        await this.work.closeOpenWork(m, next, at);
        await this.work.refusalAlert(m, next, d.via, a.id);
      } else {
        // Retrospective consent refused after an emergency install: the measures are in, the alert still goes.
        await this.engine.event(m, actor, row, {
          type,
          at: d.at,
          data: { approvalId: a.id, retrospective: true },
        });
        await this.work.refusalAlert(m, row, `${d.via}, after the emergency installation`, a.id);
      }
    } else {
      await this.engine.event(m, actor, row, { type, at: d.at, data: { approvalId: a.id } });
      if (a.kind === 'cost' && d.decision === 'refused') {
        const idva = await this.notifications.user(m, row.assignedTo ?? row.createdBy);
        if (idva)
          await this.notifications.tasks(m, {
            schemeId: row.schemeId,
            userIds: [idva.id],
            kind: 'cost_refused',
            caseId: row.id,
            approvalId: a.id,
            dedupeKey: `cost-refused:${a.id}`,
          });
      }
    }
    return this.find(m, row.schemeId, a.id);
  }

  // ---- the landlord's link --------------------------------------------------------------------

  private async byToken(m: EntityManager, token: string, lock: boolean): Promise<ApprovalRow> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw new NotFoundError('consent request');
    const rows: ApprovalRow[] = await m.query(
      `SELECT ${APPROVAL_SELECT} FROM approvals a JOIN cases c ON c.id = a.case_id WHERE a.token_hash = $1 ${lock ? 'FOR UPDATE OF a' : ''}`,
      [tokenHash(token)],
    );
    const a = rows[0];
    // Forged, expired, used or no longer pending: all the same 404.
    if (
      !a ||
      a.kind !== 'landlord_consent' ||
      a.token_used_at ||
      a.status !== 'pending' ||
      !a.token_expires_at ||
      a.token_expires_at < this.engine.now()
    ) {
      throw new NotFoundError('consent request');
    }
    return a;
  }

  /** What the landlord sees: the address and the works — nothing about the household or abuse. */
  private consentView(row: CaseRow, a: ApprovalRow): ConsentViewResponse {
    const p = this.cases.personal(row);
    const proposedWorks = (row.measures ?? []).map((x) => ({
      code: x.code,
      quantity: x.quantity,
      ...(x.location ? { location: x.location } : {}),
    }));
    return { address: p.address, proposedWorks, dueAt: a.due_at.toISOString(), status: a.status };
  }

  async viewConsent(token: string): Promise<ConsentViewResponse> {
    return this.engine.tx(async (m) => {
      const a = await this.byToken(m, token, false);
      const row = await this.engine.find(m, a.scheme_id, a.case_id);
      await this.audit.write(
        {
          schemeId: a.scheme_id,
          actorId: null,
          action: 'consent.viewed',
          entity: 'approval',
          entityId: a.id,
        },
        m,
      );
      return this.consentView(row, a);
    });
  }

  async decideByLink(token: string, dto: ConsentDecisionDto): Promise<ConsentViewResponse> {
    return this.engine.tx(async (m) => {
      const peek = await this.byToken(m, token, false);
      const row = await this.engine.find(m, peek.scheme_id, peek.case_id, true);
      const a = await this.byToken(m, token, true);
      const decided = await this.applyDecision(
        m,
        { id: null, schemeId: a.scheme_id, role: 'landlord' },
        row,
        a,
        {
          decision: dto.decision,
          respondent: dto.name,
          reason: dto.reason,
          at: this.engine.now(),
          via: 'through the landlord’s consent link',
        },
      );
      return this.consentView(row, decided);
    });
  }

  /** The consent link of a pending approval, for chase emails (decrypted only to send it). */
  tokenOf(a: ApprovalRow): string | null {
    return a.token_enc
      ? this.crypto.decrypt(a.token_enc, encContext('approvals', a.id, 'token'))
      : null;
  }
}

/** The landlord's email: the address, the works and the link — nothing about abuse or the household. */
export function landlordEmail(
  p: Personal,
  measures: Measure[],
  due: Date,
  url: string,
  reminder: boolean,
): string {
  const works = measures.length
    ? measures
        .map(
          (x) =>
            `- ${x.code.replace(/_/g, ' ')} × ${x.quantity}${x.location ? ` (${x.location})` : ''}`,
        )
        .join('\n')
    : '- home security improvements (details on the link)';
  return [
    reminder ? 'Reminder: we are still waiting for your answer.' : 'Dear landlord,',
    '',
    `The council's home security service asks your consent to fit the following security measures at`,
    `${p.address.line1}${p.address.line2 ? `, ${p.address.line2}` : ''}, ${p.address.town} ${p.address.postcode}:`,
    works,
    '',
    `Please answer by ${due.toISOString().slice(0, 10)} using this single-use link: ${url}`,
  ].join('\n');
}
