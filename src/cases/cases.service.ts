// Case use cases: referral, reading (audited), correcting, listing, the timeline, and the actions
// of the support journey that belong to the case itself. Approvals and jobs have their own services.
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { encContext, FieldCrypto, normalisePostcode } from '../common/crypto/field-crypto.js';
import { ConflictError, NotFoundError, RuleError } from '../common/errors.js';
import { ACTION_LABELS, allowedActions } from './case-state-machine.js';
import { ListQuery } from '../common/list-query.js';
import { decodeCursor, toPage, type Page } from '../common/pagination.js';
import { londonDate, londonStartOfDay } from '../common/working-days.js';
import { IdempotencyService, type Complete } from '../idempotency/idempotency.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { caseAccess, visibleToSql } from './case-access.js';
import { ageOn, CASE_SELECT, type CaseRow, type Personal } from './case-row.js';
import { CaseTransitions, type Actor } from './case-transitions.service.js';
import {
  toCaseResponse,
  toCaseSummary,
  type AuditEntryResponse,
  type CaseResponse,
  type CaseSummaryResponse,
  type TimelineEventResponse,
} from './case.response.js';
import type {
  ActionDto,
  BookSurveyDto,
  CancelDto,
  CloseDto,
  CreateCaseDto,
  DeclineDto,
  ListCasesQuery,
  PatchCaseDto,
  ReviewDto,
  UnsuccessfulDto,
} from './dto/case.dto.js';
import { WorkService } from './work.service.js';

export const actorOf = (me: Principal): Actor => ({
  id: me.id,
  schemeId: me.schemeId!,
  role: me.role,
});

@Injectable()
export class CasesService {
  constructor(
    private readonly engine: CaseTransitions,
    private readonly crypto: FieldCrypto,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly notifications: NotificationsService,
    private readonly work: WorkService,
  ) {}

  personal(row: CaseRow): Personal {
    return this.crypto.decryptJson<Personal>(
      row.personalEnc,
      encContext('cases', row.id, 'personal'),
    );
  }

  private sealPersonal(id: string, p: Personal): string {
    return this.crypto.encryptJson(p, encContext('cases', id, 'personal'));
  }

  private personHash(name: string, dateOfBirth: string): string {
    return this.crypto.hash(
      `${name.trim().toLowerCase().replace(/\s+/g, ' ')}|${dateOfBirth}`,
      'person',
    );
  }

  /** Loads a case the caller may see (404 otherwise); audits break-glass opening. */
  async visible(
    m: EntityManager,
    me: Principal,
    id: string,
    accessReason?: string,
    lock = false,
  ): Promise<CaseRow> {
    const row = await this.engine.find(m, me.schemeId!, id, lock);
    const access = caseAccess(me, row, accessReason);
    if (access === 'hidden') throw new NotFoundError('case');
    if (access === 'break_glass') {
      await this.audit.write(
        {
          schemeId: row.schemeId,
          actorId: me.id,
          action: 'case.break_glass',
          entity: 'case',
          entityId: row.id,
          data: { reasonGiven: true },
        },
        m,
      );
      await this.notifications.tasks(m, {
        schemeId: row.schemeId,
        userIds: (await this.notifications.managers(m, row.schemeId)).map((u) => u.id),
        kind: 'break_glass',
        caseId: row.id,
        dedupeKey: `break-glass:${row.id}:${me.id}:${londonDate(this.engine.now())}`,
      });
    }
    return row;
  }

  async create(me: Principal, dto: CreateCaseDto, key?: string): Promise<CaseResponse> {
    // Eligibility: the service must be safe and wanted.
    if (dto.perpetratorLivesAtProperty) {
      throw new RuleError(
        'NOT_ELIGIBLE_PERPETRATOR_AT_PROPERTY',
        'A sanctuary scheme cannot be offered while the perpetrator lives at the property: consider other safe accommodation options.',
      );
    }
    if (!dto.serviceUserConsents) {
      throw new RuleError(
        'NOT_ELIGIBLE_NO_CONSENT',
        'The service user has not consented: a referral needs their informed consent first.',
      );
    }
    const now = this.engine.now();
    const today = londonDate(now);
    if (dto.referralDate > today) {
      throw new RuleError('REFERRAL_IN_FUTURE', 'referralDate is in the future.', [
        { field: 'referralDate', message: 'must not be in the future' },
      ]);
    }
    if (dto.serviceUser.dateOfBirth >= dto.referralDate) {
      throw new RuleError(
        'DATE_OF_BIRTH_INVALID',
        'dateOfBirth must be before the referral date.',
        [{ field: 'serviceUser.dateOfBirth', message: 'must be before referralDate' }],
      );
    }
    const age = ageOn(dto.serviceUser.dateOfBirth, dto.referralDate);
    if (age < 16) {
      throw new RuleError(
        'SERVICE_USER_UNDER_16',
        'The service user is under 16 at referral: refer to children’s social care, not a sanctuary scheme.',
        [
          {
            field: 'serviceUser.dateOfBirth',
            message: 'service user must be 16 or over at referral',
          },
        ],
      );
    }
    if (age > 120) {
      throw new RuleError('DATE_OF_BIRTH_INVALID', 'dateOfBirth gives an age over 120.', [
        { field: 'serviceUser.dateOfBirth', message: 'is not plausible' },
      ]);
    }
    if (dto.tenure === 'owner_occupier' && dto.landlordId) {
      throw new RuleError(
        'LANDLORD_NOT_EXPECTED',
        'An owner-occupied home has no landlord: leave landlordId out.',
        [{ field: 'landlordId', message: 'must be absent for owner_occupier' }],
      );
    }
    if (dto.tenure !== 'owner_occupier' && !dto.landlordId) {
      throw new RuleError(
        'LANDLORD_REQUIRED',
        'A tenancy needs the landlord whose consent the works require: give landlordId.',
        [{ field: 'landlordId', message: 'is required unless tenure is owner_occupier' }],
      );
    }
    return this.idempotency.run(
      me.id,
      'cases.create',
      key,
      dto,
      (complete) => this.engine.tx((m) => this.insertCase(m, me, dto, now, age, complete)),
      async (id) =>
        toCaseResponseFor(this, await this.engine.find(this.engine.manager, me.schemeId!, id), now),
    );
  }

  private async insertCase(
    m: EntityManager,
    me: Principal,
    dto: CreateCaseDto,
    now: Date,
    age: number,
    complete: Complete,
  ): Promise<CaseResponse> {
    {
      if (dto.landlordId) {
        const ok = await m.query(`SELECT 1 FROM landlords WHERE id = $1 AND scheme_id = $2`, [
          dto.landlordId,
          me.schemeId,
        ]);
        if (!ok.length)
          throw new RuleError('LANDLORD_UNKNOWN', 'No landlord with that id in your scheme.', [
            { field: 'landlordId', message: 'unknown landlord' },
          ]);
      }
      const [{ case_seq }] = await m
        .query(`UPDATE schemes SET case_seq = case_seq + 1 WHERE id = $1 RETURNING case_seq`, [
          me.schemeId,
        ])
        .then(
          (r: unknown) =>
            (Array.isArray(r) && Array.isArray(r[0]) ? r[0] : r) as { case_seq: number }[],
        );
      const id = randomUUID();
      const reference = `SAN-${dto.referralDate.slice(0, 4)}-${String(case_seq).padStart(6, '0')}`;
      const personal: Personal = {
        serviceUser: {
          name: dto.serviceUser.name,
          dateOfBirth: dto.serviceUser.dateOfBirth,
          ...(dto.serviceUser.phone ? { phone: dto.serviceUser.phone } : {}),
          ...(dto.serviceUser.safeContact
            ? { safeContact: { ...dto.serviceUser.safeContact } }
            : {}),
        },
        address: { ...dto.address, postcode: dto.address.postcode.toUpperCase() },
        childrenAges: dto.household.childrenAges,
        ...(dto.accessNotes ? { accessNotes: dto.accessNotes } : {}),
      };
      // A referral happened on its date; the event is placed at the start of that day (London).
      const referredAt = new Date(
        Math.min(londonStartOfDay(dto.referralDate).getTime(), now.getTime()),
      );
      await m.query(
        `INSERT INTO cases (id, scheme_id, reference, status, priority, tenure, landlord_id, risk_level, marac_referred,
           referral_source, referral_date, gender, age_at_referral, characteristics, household_adults, household_children,
           person_hash, postcode_hash, personal_enc, assigned_to, created_by, status_changed_at, last_event_at)
         VALUES ($1,$2,$3,'referred',$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$19,$20,$20)`,
        [
          id,
          me.schemeId,
          reference,
          dto.priority,
          dto.tenure,
          dto.landlordId ?? null,
          dto.riskLevel,
          dto.maracReferred,
          dto.referralSource,
          dto.referralDate,
          dto.serviceUser.gender,
          age,
          dto.characteristics ?? [],
          dto.household.adults,
          dto.household.childrenAges.length,
          this.personHash(dto.serviceUser.name, dto.serviceUser.dateOfBirth),
          this.crypto.hash(normalisePostcode(dto.address.postcode), 'postcode'),
          this.sealPersonal(id, personal),
          me.id,
          referredAt,
        ],
      );
      const row = await this.engine.find(m, me.schemeId!, id);
      await this.engine.event(m, actorOf(me), row, {
        type: 'referred',
        from: null,
        to: 'referred',
        at: referredAt,
        note: dto.note,
        data: { referralSource: dto.referralSource, priority: dto.priority },
      });
      await complete(m, id);
      return toCaseResponse(row, personal, now);
    }
  }

  async get(me: Principal, id: string, accessReason?: string): Promise<CaseResponse> {
    return this.engine.tx(async (m) => {
      const row = await this.visible(m, me, id, accessReason);
      await this.audit.write(
        {
          schemeId: row.schemeId,
          actorId: me.id,
          action: 'case.read',
          entity: 'case',
          entityId: row.id,
        },
        m,
      );
      return toCaseResponse(row, this.personal(row), this.engine.now());
    });
  }

  async list(me: Principal, q: ListCasesQuery): Promise<Page<CaseSummaryResponse>> {
    const list = new ListQuery('c', me.schemeId, q.limit ?? 50);
    if (me.role === 'idva') list.add((p) => visibleToSql('c', `${p}::uuid`), me.id);
    if (q.status) list.add((p) => `c.status = ${p}`, q.status);
    if (q.priority) list.add((p) => `c.priority = ${p}`, q.priority);
    if (q.assignedTo) list.add((p) => `c.assigned_to = ${p}`, q.assignedTo);
    if (q.postcode) {
      list.add(
        (p) => `c.postcode_hash = ${p}`,
        this.crypto.hash(normalisePostcode(q.postcode), 'postcode'),
      );
    }
    if (q.overdue) {
      // Escalated, or an approval past due, or a job offered and not accepted in time.
      const overdue = (p: string) =>
        `(c.overdue OR EXISTS (SELECT 1 FROM approvals a WHERE a.case_id = c.id AND a.status = 'pending' AND a.next_chase_at IS NOT NULL AND a.due_at < ${p})
          OR EXISTS (SELECT 1 FROM jobs j WHERE j.case_id = c.id AND j.status = 'offered' AND j.confirm_by < ${p}))`;
      list.add((p) => (q.overdue === 'true' ? overdue(p) : `NOT ${overdue(p)}`), this.engine.now());
    }
    const [sql, params] = list.after(decodeCursor(q.cursor)).build(CASE_SELECT, 'cases c');
    const rows: CaseRow[] = await this.engine.manager.query(sql, params);
    const limit = list.limit;
    const withNames = q.include === 'names';
    const page = toPage(
      rows,
      limit,
      (r) => r.createdAt,
      (r) => toCaseSummary(r, withNames ? this.personal(r).serviceUser.name : undefined),
    );
    if (withNames && page.items.length) {
      await this.audit.write({
        schemeId: me.schemeId,
        actorId: me.id,
        action: 'case.list_names',
        entity: 'case',
        entityId: null,
        data: { count: page.items.length },
      });
    }
    return page;
  }

  async patch(
    me: Principal,
    id: string,
    dto: PatchCaseDto,
    ifMatch?: number,
    accessReason?: string,
  ): Promise<CaseResponse> {
    return this.engine.tx(async (m) => {
      const row = await this.visible(m, me, id, accessReason, true);
      this.engine.checkVersion(row, ifMatch);
      const p = this.personal(row);
      const set: Record<string, unknown> = {};
      const changed: string[] = [];
      if (dto.serviceUser) {
        if (ageOn(dto.serviceUser.dateOfBirth, row.referralDate) < 16) {
          throw new RuleError(
            'SERVICE_USER_UNDER_16',
            'The service user would be under 16 at referral.',
            [{ field: 'serviceUser.dateOfBirth', message: 'must be 16 or over at referral' }],
          );
        }
        if (dto.serviceUser.dateOfBirth >= row.referralDate) {
          throw new RuleError(
            'DATE_OF_BIRTH_INVALID',
            'dateOfBirth must be before the referral date.',
            [{ field: 'serviceUser.dateOfBirth', message: 'must be before referralDate' }],
          );
        }
        p.serviceUser = {
          name: dto.serviceUser.name,
          dateOfBirth: dto.serviceUser.dateOfBirth,
          phone: dto.serviceUser.phone,
          safeContact: dto.serviceUser.safeContact
            ? { ...dto.serviceUser.safeContact }
            : p.serviceUser.safeContact,
        };
        set.gender = dto.serviceUser.gender;
        set.age_at_referral = ageOn(dto.serviceUser.dateOfBirth, row.referralDate);
        set.person_hash = this.personHash(dto.serviceUser.name, dto.serviceUser.dateOfBirth);
        changed.push('serviceUser');
      }
      if (dto.address) {
        p.address = { ...dto.address, postcode: dto.address.postcode.toUpperCase() };
        set.postcode_hash = this.crypto.hash(normalisePostcode(dto.address.postcode), 'postcode');
        changed.push('address');
      }
      if (dto.household) {
        p.childrenAges = dto.household.childrenAges;
        set.household_adults = dto.household.adults;
        set.household_children = dto.household.childrenAges.length;
        changed.push('household');
      }
      if (dto.accessNotes !== undefined) {
        p.accessNotes = dto.accessNotes;
        changed.push('accessNotes');
      }
      if (dto.tenure !== undefined || dto.landlordId !== undefined) {
        // Tenure and landlord are what a pending consent request was sent about: frozen meanwhile.
        const pending = await m.query(
          `SELECT 1 FROM approvals WHERE case_id = $1 AND kind = 'landlord_consent' AND status = 'pending'`,
          [row.id],
        );
        if (pending.length)
          throw new RuleError(
            'CONSENT_PENDING',
            'A landlord consent request is pending: withdraw it (cancel the case or record the decision) before changing tenure or landlord.',
          );
        const tenure = dto.tenure ?? row.tenure;
        const landlordId = dto.landlordId ?? (tenure === 'owner_occupier' ? null : row.landlordId);
        if (tenure !== 'owner_occupier' && !landlordId)
          throw new RuleError('LANDLORD_REQUIRED', 'A tenancy needs a landlord: give landlordId.', [
            { field: 'landlordId', message: 'is required unless tenure is owner_occupier' },
          ]);
        if (tenure === 'owner_occupier' && dto.landlordId)
          throw new RuleError('LANDLORD_NOT_EXPECTED', 'An owner-occupied home has no landlord.', [
            { field: 'landlordId', message: 'must be absent for owner_occupier' },
          ]);
        if (landlordId) {
          const ok = await m.query(`SELECT 1 FROM landlords WHERE id = $1 AND scheme_id = $2`, [
            landlordId,
            row.schemeId,
          ]);
          if (!ok.length)
            throw new RuleError('LANDLORD_UNKNOWN', 'No landlord with that id in your scheme.', [
              { field: 'landlordId', message: 'unknown landlord' },
            ]);
        }
        set.tenure = tenure;
        set.landlord_id = landlordId;
        changed.push('tenure');
      }
      const plain: [keyof PatchCaseDto, string][] = [
        ['riskLevel', 'risk_level'],
        ['maracReferred', 'marac_referred'],
        ['characteristics', 'characteristics'],
        ['priority', 'priority'],
        ['restricted', 'restricted'],
      ];
      for (const [field, column] of plain) {
        if (dto[field] === undefined) continue;
        set[column] = dto[field];
        changed.push(field);
      }
      if (dto.restrictedTo !== undefined || dto.assignedTo !== undefined) {
        const ids = [
          ...new Set([...(dto.restrictedTo ?? []), ...(dto.assignedTo ? [dto.assignedTo] : [])]),
        ];
        if (ids.length) {
          const staff = await m.query(
            `SELECT id FROM users WHERE id = ANY($1::uuid[]) AND scheme_id = $2 AND role IN ('idva','scheme_manager')`,
            [ids, row.schemeId],
          );
          if (staff.length !== ids.length)
            throw new RuleError(
              'STAFF_UNKNOWN',
              'Every named person must be an IDVA or manager of this scheme.',
              [{ field: 'restrictedTo', message: 'unknown staff member' }],
            );
        }
        if (dto.restrictedTo !== undefined) {
          set.restricted_to = dto.restrictedTo;
          changed.push('restrictedTo');
        }
        if (dto.assignedTo !== undefined) {
          set.assigned_to = dto.assignedTo;
          changed.push('assignedTo');
        }
      }
      if (!changed.length) return toCaseResponse(row, p, this.engine.now());
      set.personal_enc = this.sealPersonal(row.id, p);
      const next = await this.engine.touch(m, row, set);
      await this.engine.event(m, actorOf(me), row, {
        type: 'details_corrected',
        at: this.engine.now(),
        data: { fields: changed },
      });
      return toCaseResponse(next, p, this.engine.now());
    });
  }

  async timeline(
    me: Principal,
    id: string,
    accessReason?: string,
  ): Promise<TimelineEventResponse[]> {
    return this.engine.tx(async (m) => {
      const row = await this.visible(m, me, id, accessReason);
      const events = await m.query(
        `SELECT type, from_status, to_status, occurred_at, recorded_at, actor_id, data, note_enc FROM case_events
         WHERE case_id = $1 ORDER BY occurred_at, id`,
        [row.id],
      );
      await this.audit.write(
        {
          schemeId: row.schemeId,
          actorId: me.id,
          action: 'case.timeline_read',
          entity: 'case',
          entityId: row.id,
        },
        m,
      );
      return events.map((e: Record<string, any>) => ({
        type: e.type,
        fromStatus: e.from_status,
        toStatus: e.to_status,
        occurredAt: e.occurred_at.toISOString(),
        recordedAt: e.recorded_at.toISOString(),
        actorId: e.actor_id,
        data: e.data,
        note: e.note_enc
          ? this.crypto.decrypt(e.note_enc, encContext('case_events', row.id, 'note'))
          : null,
      }));
    });
  }

  async auditTrail(me: Principal, id: string): Promise<AuditEntryResponse[]> {
    return this.engine.tx(async (m) => {
      const row = await this.engine.find(m, me.schemeId!, id);
      const rows = await m.query(
        // The scheme's own rows: a refused attempt by another scheme's user is that scheme's record.
        `SELECT action, actor_id, at, data FROM audit_log
         WHERE entity = 'case' AND entity_id = $1 AND scheme_id = $2 ORDER BY id`,
        [row.id, row.schemeId],
      );
      return rows.map((r: Record<string, any>) => ({
        action: r.action,
        actorId: r.actor_id,
        at: r.at.toISOString(),
        data: r.data,
      }));
    });
  }

  // ---- actions --------------------------------------------------------------------------------

  private async act(
    me: Principal,
    id: string,
    ifMatch: number | undefined,
    accessReason: string | undefined,
    fn: (m: EntityManager, row: CaseRow) => Promise<CaseRow>,
  ): Promise<CaseResponse> {
    return this.engine.tx(async (m) => {
      const row = await this.visible(m, me, id, accessReason, true);
      this.engine.checkVersion(row, ifMatch);
      const next = await fn(m, row);
      return toCaseResponse(next, this.personal(next), this.engine.now());
    });
  }

  accept(me: Principal, id: string, dto: ActionDto, ifMatch?: number, why?: string) {
    return this.act(me, id, ifMatch, why, (m, row) =>
      this.engine.apply(m, actorOf(me), row, 'accept', {
        at: this.engine.occurredAt(row, dto.occurredAt),
        eventType: 'accepted',
        note: dto.note,
      }),
    );
  }

  decline(me: Principal, id: string, dto: DeclineDto, ifMatch?: number, why?: string) {
    return this.act(me, id, ifMatch, why, (m, row) =>
      this.engine.apply(m, actorOf(me), row, 'decline', {
        at: this.engine.occurredAt(row, dto.occurredAt),
        eventType: 'declined',
        note: dto.note,
        data: { reasons: dto.reasons },
        set: { outcome_reasons: dto.reasons },
      }),
    );
  }

  bookSurvey(me: Principal, id: string, dto: BookSurveyDto, ifMatch?: number, why?: string) {
    return this.act(me, id, ifMatch, why, (m, row) =>
      this.engine.apply(m, actorOf(me), row, 'book_survey', {
        at: this.engine.occurredAt(row, dto.occurredAt),
        eventType: 'survey_booked',
        note: dto.note,
        data: { scheduledFor: new Date(dto.scheduledFor).toISOString() },
      }),
    );
  }

  cancel(me: Principal, id: string, dto: CancelDto, ifMatch?: number, why?: string) {
    return this.act(me, id, ifMatch, why, async (m, row) => {
      const at = this.engine.occurredAt(row, dto.occurredAt);
      const next = await this.engine.apply(m, actorOf(me), row, 'cancel', {
        at,
        eventType: 'cancelled',
        note: dto.note,
        data: { reason: dto.reason },
        set: { outcome_reason: dto.reason },
      });
      await this.work.closeOpenWork(m, next, at);
      return next;
    });
  }

  unsuccessful(me: Principal, id: string, dto: UnsuccessfulDto, ifMatch?: number, why?: string) {
    return this.act(me, id, ifMatch, why, async (m, row) => {
      const at = this.engine.occurredAt(row, dto.occurredAt);
      const next = await this.engine.apply(m, actorOf(me), row, 'mark_unsuccessful', {
        at,
        eventType: 'unsuccessful',
        note: dto.note,
        data: { reason: dto.reason },
        set: { outcome_reason: dto.reason },
      });
      await this.work.closeOpenWork(m, next, at);
      if (dto.reason === 'landlord_refusal')
        await this.work.refusalAlert(m, next, 'recorded by staff');
      return next;
    });
  }

  review(me: Principal, id: string, dto: ReviewDto, ifMatch?: number, why?: string) {
    return this.act(me, id, ifMatch, why, async (m, row) => {
      if (row.status !== 'in_support') {
        throw new ConflictError(
          'CASE_ILLEGAL_TRANSITION',
          `This case is ${row.status}: reviews are recorded only while a case is in support.`,
          {
            currentStatus: row.status,
            allowed: allowedActions(row.status).map((x) => ACTION_LABELS[x]),
          },
        );
      }
      const at = this.engine.occurredAt(
        row,
        dto.occurredAt,
        row.installedAt ? { at: row.installedAt, what: 'the installation' } : undefined,
      );
      await m.query(
        `INSERT INTO reviews (scheme_id, case_id, occurred_at, feels_safer, incidents_since_install, resumed_relationship, note_enc, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          row.schemeId,
          row.id,
          at,
          dto.feelsSafer,
          dto.incidentsSinceInstall,
          dto.resumedRelationship,
          dto.note ? this.crypto.encrypt(dto.note, encContext('reviews', row.id, 'note')) : null,
          me.id,
        ],
      );
      await this.engine.event(m, actorOf(me), row, {
        type: 'review',
        at,
        data: {
          feelsSafer: dto.feelsSafer,
          incidentsSinceInstall: dto.incidentsSinceInstall,
          resumedRelationship: dto.resumedRelationship,
        },
        note: dto.note,
      });
      await this.work.reviewRecorded(m, row, at);
      return this.engine.touch(
        m,
        row,
        dto.resumedRelationship ? { resumed_relationship: true } : {},
      );
    });
  }

  close(me: Principal, id: string, dto: CloseDto, ifMatch?: number, why?: string) {
    return this.act(me, id, ifMatch, why, async (m, row) => {
      // A sanctuary place ends when support ends, not when the measures are removed.
      const at = this.engine.occurredAt(row, dto.occurredAt);
      const next = await this.engine.apply(m, actorOf(me), row, 'close', {
        at,
        eventType: 'closed',
        note: dto.note,
        data: { exit: dto.exit, reasons: dto.reasons, supportTypes: dto.supportTypes },
        set: {
          support_ended_at: at,
          exit_kind: dto.exit,
          outcome_reasons: dto.reasons,
          support_types: dto.supportTypes,
        },
      });
      await this.work.closeOpenWork(m, next, at);
      return next;
    });
  }
}

function toCaseResponseFor(svc: CasesService, row: CaseRow, now: Date): CaseResponse {
  return toCaseResponse(row, svc.personal(row), now);
}
