// Reports over cases written straight into the database, with every figure worked out by hand below.
// "Today" is 10 February 2026 (financial year 2025-26). People: p1 has two referrals; p3's
// installation at 23:30 UTC on 30 June 2025 is 1 July in London (Q2); scheme B reuses the same
// person hashes and must never show up in scheme A.
import {
  bearer,
  expectProblem,
  makeScheme,
  startApp,
  type Scheme,
  type TestApp,
} from './support/app.js';
import { seedApproval, seedCase, seedJob, type SeedCase } from './support/report-seed.js';

const NOW = new Date('2026-02-10T12:00:00Z');

describe('reports (seeded cases)', () => {
  let t: TestApp;
  let a: Scheme;
  let b: Scheme;
  let k1: string; // SecureFit Ltd (made by makeScheme)
  let k2: string; // Bolt & Bar Ltd

  const get = (path: string, token = a.manager.token) =>
    t.http.get(`/api/v1/reports/${path}`).set(bearer(token));

  beforeAll(async () => {
    t = await startApp();
    t.clock.set(NOW);
    a = await makeScheme(t, 'Alpha');
    b = await makeScheme(t, 'Beta');
    k1 = a.contractorId;
    const c2 = await t.http
      .post('/api/v1/contractors')
      .set(bearer(a.manager.token))
      .send({ name: 'Bolt & Bar Ltd', email: 'bolt@contractor.test', phone: '024 7600 2222' });
    k2 = c2.body.id;

    const cases: SeedCase[] = [
      // FY 2025-26 Q1 referral, installed Q1 (40 days), closed planned after 4 months.
      {
        ref: 'C1',
        person: 'p1',
        status: 'closed',
        referralDate: '2025-04-10',
        installedAt: '2025-05-20T10:00:00Z',
        supportEndedAt: '2025-09-20T10:00:00Z',
        contractorId: k1,
        exitKind: 'planned',
        outcomeReasons: ['support_completed'],
        supportTypes: ['advocacy', 'prevention_advice'],
        age: 30,
        characteristics: ['disabled', 'mental_health'],
        children: 2,
      },
      // Unsuccessful (landlord refusal) in Q2, private rented.
      {
        ref: 'C2',
        person: 'p2',
        status: 'unsuccessful',
        referralDate: '2025-06-25',
        tenure: 'private_rented',
        statusChangedAt: '2025-07-05T09:00:00Z',
        outcomeReason: 'landlord_refusal',
      },
      // Installed 23:30 UTC 30 June = 1 July in London → Q2; resumed the relationship; still in support.
      {
        ref: 'C3',
        person: 'p3',
        status: 'in_support',
        referralDate: '2025-06-30',
        tenure: 'housing_association',
        installedAt: '2025-06-30T23:30:00Z',
        contractorId: k2,
        resumed: true,
        gender: 'male',
        age: 24,
        characteristics: ['black_minoritised', 'lgbtq', 'alcohol'],
      },
      // Cancelled in Q2.
      {
        ref: 'C4',
        person: 'p4',
        status: 'cancelled',
        referralDate: '2025-08-15',
        tenure: 'owner_occupier',
        statusChangedAt: '2025-09-01T10:00:00Z',
        outcomeReason: 'withdrew',
      },
      // p1's second referral, installed Q3, still in support (latest case: age 31, 3 children).
      {
        ref: 'C5',
        person: 'p1',
        status: 'in_support',
        referralDate: '2025-10-05',
        installedAt: '2025-10-20T10:00:00Z',
        contractorId: k1,
        age: 31,
        characteristics: ['disabled', 'drug'],
        children: 3,
      },
      // Declined in Q3; the same person is declined again in Q4 (C22) — counted once, by the latest.
      {
        ref: 'C6',
        person: 'p5',
        status: 'declined',
        referralDate: '2025-12-01',
        tenure: 'private_rented',
        statusChangedAt: '2025-12-03T10:00:00Z',
        outcomeReasons: ['no_capacity', 'other'],
      },
      // Open: awaiting consent since 20 Jan 2026 (21 days); trans, 70, never supported.
      {
        ref: 'C7',
        person: 'p6',
        status: 'awaiting_consent',
        referralDate: '2026-01-10',
        statusChangedAt: '2026-01-20T10:00:00Z',
        gender: 'trans_or_non_binary',
        age: 70,
      },
      // Installed in the previous year (31 Mar 2025), support ended 30 Apr 2025: 0 whole months (the 31st is never reached).
      {
        ref: 'C8',
        person: 'p7',
        status: 'closed',
        referralDate: '2024-11-01',
        installedAt: '2025-03-31T12:00:00Z',
        supportEndedAt: '2025-04-30T12:00:00Z',
        contractorId: k1,
        exitKind: 'unplanned',
        outcomeReasons: ['moved_in_with_perpetrator', 'other'],
        supportTypes: ['advocacy', 'housing_related'],
        age: 65,
        children: 1,
      },
      // Installed Q1 (14 days), left after 0 whole months; resumed according to the closure reasons.
      {
        ref: 'C9',
        person: 'p8',
        status: 'closed',
        referralDate: '2025-05-01',
        installedAt: '2025-05-15T10:00:00Z',
        supportEndedAt: '2025-06-14T10:00:00Z',
        contractorId: k1,
        exitKind: 'unplanned',
        outcomeReasons: ['asked_to_leave', 'resumed_relationship'],
        supportTypes: ['advocacy'],
        gender: 'not_known',
        age: 45,
        characteristics: ['ex_offender'],
      },
      // Unsuccessful (consent timeout) in Q3.
      {
        ref: 'C10',
        person: 'p9',
        status: 'unsuccessful',
        referralDate: '2025-07-10',
        statusChangedAt: '2025-11-01T10:00:00Z',
        outcomeReason: 'consent_timeout',
      },
      // Open: referred on 5 Jan 2026 (36 days), flagged overdue.
      {
        ref: 'C12',
        person: 'p11',
        status: 'referred',
        referralDate: '2026-01-05',
        statusChangedAt: '2026-01-05T09:00:00Z',
        overdue: true,
      },
      // Referred in the previous year, installed Q1 (13 days): an installation without a referral in the period.
      {
        ref: 'C14',
        person: 'p12',
        status: 'in_support',
        referralDate: '2025-03-20',
        tenure: 'owner_occupier',
        installedAt: '2025-04-02T10:00:00Z',
        contractorId: k2,
        age: 16,
      },
      // Installed Q1 (14 days), left after exactly 6 months.
      {
        ref: 'C15',
        person: 'p13',
        status: 'closed',
        referralDate: '2025-04-01',
        installedAt: '2025-04-15T10:00:00Z',
        supportEndedAt: '2025-10-15T10:00:00Z',
        contractorId: k1,
        exitKind: 'planned',
        outcomeReasons: ['moved_other_safe_accommodation'],
        supportTypes: ['specialist', 'children'],
        age: 25,
        characteristics: ['ex_offender'],
        children: 4,
      },
      // Installed Q3 (11 days), left after exactly 1 month; trans (so LGBTQ+), black and minoritised.
      {
        ref: 'C16',
        person: 'p14',
        status: 'closed',
        referralDate: '2025-11-20',
        installedAt: '2025-12-01T10:00:00Z',
        supportEndedAt: '2026-01-01T10:00:00Z',
        contractorId: k2,
        exitKind: 'planned',
        outcomeReasons: ['support_completed'],
        gender: 'trans_or_non_binary',
        age: 40,
        characteristics: ['black_minoritised'],
        children: 1,
      },
      // Referred in the previous year, cancelled in Q1.
      {
        ref: 'C17',
        person: 'p15',
        status: 'cancelled',
        referralDate: '2025-03-01',
        statusChangedAt: '2025-04-05T10:00:00Z',
        outcomeReason: 'moved',
      },
      // Declined in the previous year: not in 2025-26, only in 2024-25.
      {
        ref: 'C18',
        person: 'p16',
        status: 'declined',
        referralDate: '2025-02-01',
        statusChangedAt: '2025-03-15T10:00:00Z',
        outcomeReasons: ['not_eligible'],
      },
      // Open: install ordered 6 Feb 2026 (4 days) and install scheduled 1 Feb 2026 (9 days).
      {
        ref: 'C19',
        person: 'p17',
        status: 'install_ordered',
        referralDate: '2026-01-15',
        statusChangedAt: '2026-02-06T10:00:00Z',
      },
      {
        ref: 'C20',
        person: 'p18',
        status: 'install_scheduled',
        referralDate: '2026-01-02',
        tenure: 'private_rented',
        statusChangedAt: '2026-02-01T10:00:00Z',
      },
      // p5 declined again (Q4): unable to contact.
      {
        ref: 'C22',
        person: 'p5',
        status: 'declined',
        referralDate: '2026-01-20',
        tenure: 'private_rented',
        statusChangedAt: '2026-01-25T10:00:00Z',
        outcomeReasons: ['unable_to_contact'],
      },
      // Declined in Q1 with a reason code the reports do not know (counted as other).
      {
        ref: 'C23',
        person: 'p19',
        status: 'declined',
        referralDate: '2025-04-03',
        statusChangedAt: '2025-04-04T10:00:00Z',
        outcomeReasons: ['not_eligible', 'legacy_code'],
      },
    ];
    const ids: Record<string, string> = {};
    for (const c of cases) ids[c.ref] = await seedCase(t, a.id, a.manager.id, c);

    await seedApproval(t, a.id, ids.C7, {
      kind: 'landlord_consent',
      status: 'pending',
      dueAt: '2026-02-01T17:00:00Z',
      escalatedAt: '2026-02-05T09:00:00Z',
    });
    await seedApproval(t, a.id, ids.C7, {
      kind: 'cost',
      status: 'pending',
      dueAt: '2026-03-01T17:00:00Z',
    });
    await seedApproval(t, a.id, ids.C19, {
      kind: 'cost',
      status: 'granted',
      dueAt: '2026-01-01T17:00:00Z',
    });
    await seedJob(t, a.id, ids.C19, {
      contractorId: k1,
      status: 'offered',
      confirmBy: '2026-02-09T12:00:00Z',
    });
    await seedJob(t, a.id, ids.C20, {
      contractorId: k2,
      status: 'accepted',
      confirmBy: '2026-02-02T12:00:00Z',
      scheduledFor: '2026-02-08T09:00:00Z',
    });
    await seedJob(t, a.id, ids.C20, {
      contractorId: k1,
      status: 'cancelled',
      confirmBy: '2026-01-20T12:00:00Z',
    });
    // Scheduled 13:00 yesterday: not a full day past yet at 12:00 today.
    await seedJob(t, a.id, ids.C20, {
      contractorId: k1,
      status: 'accepted',
      confirmBy: '2026-02-02T12:00:00Z',
      scheduledFor: '2026-02-09T13:00:00Z',
    });

    // Scheme B: same person hashes, its own contractor; none of it may reach scheme A's figures.
    const b1 = await seedCase(t, b.id, b.manager.id, {
      ref: 'B1',
      person: 'p1',
      status: 'in_support',
      referralDate: '2025-05-01',
      installedAt: '2025-06-01T10:00:00Z',
      contractorId: b.contractorId,
      gender: 'male',
      characteristics: ['disabled'],
      children: 5,
    });
    await seedCase(t, b.id, b.manager.id, {
      ref: 'B2',
      person: 'p2',
      status: 'unsuccessful',
      referralDate: '2025-05-02',
      statusChangedAt: '2025-05-03T10:00:00Z',
      outcomeReason: 'landlord_refusal',
    });
    await seedCase(t, b.id, b.manager.id, {
      ref: 'B3',
      person: 'p3',
      status: 'referred',
      referralDate: '2026-02-01',
    });
    await seedApproval(t, b.id, b1, {
      kind: 'landlord_consent',
      status: 'pending',
      dueAt: '2026-01-01T17:00:00Z',
    });
    await seedJob(t, b.id, b1, {
      contractorId: b.contractorId,
      status: 'offered',
      confirmBy: '2026-01-01T12:00:00Z',
    });
  });
  afterAll(async () => t?.close());

  describe('access', () => {
    it('answers 401 without a token', async () => {
      expectProblem(await t.http.get('/api/v1/reports/pipeline'), 401);
    });

    it.each([
      'pipeline',
      'target-hardening',
      'target-hardening.svg',
      'length-of-stay',
      'length-of-stay.svg',
      'annual-return',
    ])('refuses %s to idvas, installers and admins with 403', async (path) => {
      for (const token of [a.idva.token, a.installer.token, t.adminToken])
        expectProblem(await get(path, token), 403);
    });

    it('documents every report in OpenAPI', async () => {
      const doc = (await t.http.get('/docs-json')).body;
      for (const p of [
        'pipeline',
        'target-hardening',
        'target-hardening.svg',
        'length-of-stay',
        'length-of-stay.svg',
        'annual-return',
      ]) {
        expect(doc.paths[`/api/v1/reports/${p}`]?.get).toBeDefined();
        expect(doc.paths[`/api/v1/reports/${p}`].get.tags).toEqual(['reports']);
      }
      const th = doc.paths['/api/v1/reports/target-hardening'].get;
      expect(Object.keys(th.responses['200'].content)).toEqual(['application/json', 'text/csv']);
      expect(th.responses['200'].content['application/json'].schema.$ref).toMatch(
        /TargetHardeningResponse$/,
      );
      expect(th.responses['400']).toBeDefined();
      expect(
        doc.components.schemas.AnnualReturnResponse.properties.specialistCharacteristics,
      ).toBeDefined();
    });
  });

  describe('validation', () => {
    it.each([
      ['target-hardening?from=2025-13-01', 'from'],
      ['target-hardening?from=2025-02-30', 'from'],
      ['target-hardening?from=25-04-01', 'from'],
      ['target-hardening?to=yesterday', 'to'],
      ['target-hardening?from=2025-06-01&to=2025-05-31', 'to'],
      ['target-hardening?from=1999-12-31', 'from'],
      ['length-of-stay?to=2101-01-01', 'to'],
      ['length-of-stay.svg?from=2025-04-01&to=2025-01-01', 'to'],
      ['target-hardening?from=2025-04-01&from=2025-05-01', 'from'],
      ['annual-return?year=1999', 'year'],
      ['annual-return?year=2101', 'year'],
      ['annual-return?year=abc', 'year'],
      ['annual-return?year=2025.5', 'year'],
      ['annual-return?year=', 'year'],
      ['annual-return?year=2025&scheme=other', 'scheme'],
      ['target-hardening?schemeId=x', 'schemeId'],
    ])('answers %s with a 400 naming %s', async (path, field) => {
      const res = await get(path);
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('answers 406 when neither JSON nor CSV is acceptable', async () => {
      expectProblem(await get('pipeline').set('Accept', 'application/xml'), 406);
    });

    it('accepts one bound and the edges of the allowed range', async () => {
      expect((await get('target-hardening?from=2000-01-01&to=2000-01-01')).status).toBe(200);
      expect((await get('annual-return?year=2100')).status).toBe(200);
      const onlyFrom = await get('target-hardening?from=2024-06-01');
      expect([onlyFrom.body.from, onlyFrom.body.to]).toEqual(['2024-06-01', '2025-03-31']);
      const onlyTo = await get('length-of-stay?to=2025-05-01');
      expect([onlyTo.body.from, onlyTo.body.to]).toEqual(['2025-04-01', '2025-05-01']);
    });
  });

  describe('pipeline', () => {
    it('counts open cases by stage with age in stage, and overdue approvals and jobs, for the caller’s scheme only', async () => {
      const res = await get('pipeline');
      expect(res.status).toBe(200);
      // The test clock keeps running from NOW.
      expect(Date.parse(res.body.asOf) - NOW.getTime()).toBeLessThan(120_000);
      expect(res.body.openCases).toBe(7);
      const stage = (s: string) => res.body.stages.find((x: { stage: string }) => x.stage === s);
      expect(res.body.stages.map((s: { stage: string }) => s.stage)).toEqual([
        'referred',
        'accepted',
        'survey_booked',
        'surveyed',
        'awaiting_consent',
        'install_ordered',
        'install_scheduled',
        'in_support',
      ]);
      expect(stage('referred')).toEqual({
        stage: 'referred',
        count: 1,
        ageInStageDays: { median: 36, oldest: 36 },
        flaggedOverdue: 1,
      });
      expect(stage('accepted')).toEqual({
        stage: 'accepted',
        count: 0,
        ageInStageDays: { median: null, oldest: null },
        flaggedOverdue: 0,
      });
      expect(stage('awaiting_consent').ageInStageDays).toEqual({ median: 21, oldest: 21 });
      expect(stage('install_ordered').ageInStageDays).toEqual({ median: 4, oldest: 4 });
      expect(stage('install_scheduled').ageInStageDays).toEqual({ median: 9, oldest: 9 });
      // C3 since 1 Jul 2025 (224 days), C5 since 20 Oct (113), C14 since 2 Apr (314).
      expect(stage('in_support')).toEqual({
        stage: 'in_support',
        count: 3,
        ageInStageDays: { median: 224, oldest: 314 },
        flaggedOverdue: 0,
      });
      expect(res.body.overdue).toEqual({
        approvals: { pending: 2, total: 1, landlordConsent: 1, cost: 0, survey: 0, escalated: 1 },
        jobs: { live: 3, total: 2, unconfirmed: 1, pastScheduledDate: 1, escalated: 0 },
      });
      expect(Object.keys(res.body.definitions)).toEqual(
        expect.arrayContaining(['stages', 'ageInStageDays', 'overdueApprovals', 'overdueJobs']),
      );
    });

    it('gives scheme B only its own pipeline', async () => {
      const res = await get('pipeline', b.manager.token);
      expect(res.body.openCases).toBe(2);
      expect(res.body.overdue.approvals.total).toBe(1);
      expect(res.body.overdue.jobs.unconfirmed).toBe(1);
    });

    it('moves with the clock', async () => {
      t.clock.set(new Date('2026-02-20T12:00:00Z'));
      try {
        const res = await get('pipeline');
        expect(
          res.body.stages.find((s: { stage: string }) => s.stage === 'referred').ageInStageDays
            .median,
        ).toBe(46);
        expect(res.body.overdue.jobs.pastScheduledDate).toBe(2);
        expect(res.body.overdue.approvals.total).toBe(1);
      } finally {
        t.clock.set(NOW);
      }
    });

    it('answers CSV with one header row', async () => {
      const res = await get('pipeline').set('Accept', 'text/csv');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const lines = res.text.trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'section,item,count,medianDaysInStage,oldestDaysInStage,flaggedOverdue',
      );
      expect(lines).toContain('stage,referred,1,36,36,1');
      expect(lines).toContain('stage,accepted,0,,,0');
      expect(lines).toContain('stage,in_support,3,224,314,0');
      expect(lines).toContain('openCases,total,7,,,');
      expect(lines).toContain('approvals,landlordConsent,1,,,');
      expect(lines).toContain('jobs,pastScheduledDate,1,,,');
      expect(lines).toHaveLength(1 + 8 + 1 + 6 + 5);
    });
  });

  describe('target hardening', () => {
    const unsuccessful = (landlordRefusal = 0, consentTimeout = 0, cannotFit = 0, other = 0) => ({
      total: landlordRefusal + consentTimeout + cannotFit + other,
      landlordRefusal,
      consentTimeout,
      cannotFit,
      other,
    });

    it('defaults to the current financial year and counts each quarter by when things happened', async () => {
      const res = await get('target-hardening');
      expect(res.status).toBe(200);
      expect(res.body.from).toBe('2025-04-01');
      expect(res.body.to).toBe('2026-03-31');
      expect(res.body.timeZone).toBe('Europe/London');
      const q = res.body.quarters;
      expect(
        q.map((x: { period: string; from: string; to: string }) => [x.period, x.from, x.to]),
      ).toEqual([
        ['2025-26 Q1', '2025-04-01', '2025-06-30'],
        ['2025-26 Q2', '2025-07-01', '2025-09-30'],
        ['2025-26 Q3', '2025-10-01', '2025-12-31'],
        ['2025-26 Q4', '2026-01-01', '2026-03-31'],
      ]);
      const pick = (x: Record<string, unknown>) => ({
        referrals: x.referrals,
        installations: x.installations,
        conversionRate: x.conversionRate,
        cancelled: x.cancelled,
        unsuccessful: x.unsuccessful,
        daysReferralToInstall: x.daysReferralToInstall,
        resumedRelationship: x.resumedRelationship,
      });
      // Q1: referrals C1 C2 C3 C9 C15 C23; installs C1(40d) C9(14) C14(13) C15(14); cancelled C17; C9 resumed.
      expect(pick(q[0])).toEqual({
        referrals: 6,
        installations: 4,
        conversionRate: 0.6667,
        cancelled: 1,
        unsuccessful: unsuccessful(),
        daysReferralToInstall: { median: 14, p90: 40 },
        resumedRelationship: 1,
      });
      // Q2: referrals C4 C10; install C3 (1 day, in London on 1 July); C4 cancelled; C2 landlord refusal; C3 resumed.
      expect(pick(q[1])).toEqual({
        referrals: 2,
        installations: 1,
        conversionRate: 0.5,
        cancelled: 1,
        unsuccessful: unsuccessful(1),
        daysReferralToInstall: { median: 1, p90: 1 },
        resumedRelationship: 1,
      });
      // Q3: referrals C5 C6 C16; installs C5 (15) C16 (11); C10 consent timeout.
      expect(pick(q[2])).toEqual({
        referrals: 3,
        installations: 2,
        conversionRate: 0.6667,
        cancelled: 0,
        unsuccessful: unsuccessful(0, 1),
        daysReferralToInstall: { median: 13, p90: 15 },
        resumedRelationship: 0,
      });
      // Q4: referrals C7 C12 C19 C20 C22; nothing installed.
      expect(pick(q[3])).toEqual({
        referrals: 5,
        installations: 0,
        conversionRate: 0,
        cancelled: 0,
        unsuccessful: unsuccessful(),
        daysReferralToInstall: { median: null, p90: null },
        resumedRelationship: 0,
      });
      // Total: days [1,11,13,14,14,15,40] → median 14, p90 (7th of 7) 40.
      expect(pick(res.body.total)).toEqual({
        referrals: 16,
        installations: 7,
        conversionRate: 0.4375,
        cancelled: 2,
        unsuccessful: unsuccessful(1, 1),
        daysReferralToInstall: { median: 14, p90: 40 },
        resumedRelationship: 2,
      });
      expect(res.body.total.period).toBe('total');
      expect(res.body.definitions.conversionRate).toMatch(/installations ÷ referrals/);
    });

    it('splits every period by tenure (all tenures listed) and by contractor', async () => {
      const res = await get('target-hardening');
      const q1 = res.body.quarters[0];
      expect(q1.byTenure.map((x: { tenure: string }) => x.tenure)).toEqual([
        'council',
        'housing_association',
        'private_rented',
        'owner_occupier',
        'other',
      ]);
      expect(q1.byTenure[0]).toEqual({
        tenure: 'council',
        referrals: 4,
        installations: 3,
        conversionRate: 0.75,
        cancelled: 1,
        unsuccessful: unsuccessful(),
        daysReferralToInstall: { median: 14, p90: 40 },
        resumedRelationship: 1,
      });
      expect(q1.byTenure[3]).toEqual({
        tenure: 'owner_occupier',
        referrals: 0,
        installations: 1,
        conversionRate: null,
        cancelled: 0,
        unsuccessful: unsuccessful(),
        daysReferralToInstall: { median: 13, p90: 13 },
        resumedRelationship: 0,
      });
      expect(q1.byTenure[4]).toEqual({
        tenure: 'other',
        referrals: 0,
        installations: 0,
        conversionRate: null,
        cancelled: 0,
        unsuccessful: unsuccessful(),
        daysReferralToInstall: { median: null, p90: null },
        resumedRelationship: 0,
      });
      expect(q1.byContractor).toEqual([
        {
          contractorId: k2,
          name: 'Bolt & Bar Ltd',
          installations: 1,
          daysReferralToInstall: { median: 13, p90: 13 },
          resumedRelationship: 0,
        },
        {
          contractorId: k1,
          name: 'SecureFit Ltd',
          installations: 3,
          daysReferralToInstall: { median: 14, p90: 40 },
          resumedRelationship: 1,
        },
      ]);
      const q2 = res.body.quarters[1];
      expect(q2.byTenure[2]).toEqual({
        tenure: 'private_rented',
        referrals: 0,
        installations: 0,
        conversionRate: null,
        cancelled: 0,
        unsuccessful: unsuccessful(1),
        daysReferralToInstall: { median: null, p90: null },
        resumedRelationship: 0,
      });
      expect(res.body.quarters[3].byContractor).toEqual([]);
      const total = res.body.total;
      expect(
        total.byTenure.map(
          (x: { referrals: number; installations: number; conversionRate: number | null }) => [
            x.referrals,
            x.installations,
            x.conversionRate,
          ],
        ),
      ).toEqual([
        [10, 5, 0.5],
        [1, 1, 1],
        [4, 0, 0],
        [1, 1, 1],
        [0, 0, null],
      ]);
      expect(total.byTenure[0].daysReferralToInstall).toEqual({ median: 14, p90: 40 });
      expect(total.byContractor).toEqual([
        {
          contractorId: k2,
          name: 'Bolt & Bar Ltd',
          installations: 3,
          daysReferralToInstall: { median: 11, p90: 13 },
          resumedRelationship: 1,
        },
        {
          contractorId: k1,
          name: 'SecureFit Ltd',
          installations: 4,
          daysReferralToInstall: { median: 14.5, p90: 40 },
          resumedRelationship: 1,
        },
      ]);
    });

    it('clips quarters to the period and reads installation dates in London time', async () => {
      const res = await get('target-hardening?from=2025-05-16&to=2025-07-31');
      expect(
        res.body.quarters.map(
          (x: {
            period: string;
            from: string;
            to: string;
            referrals: number;
            installations: number;
          }) => [x.period, x.from, x.to, x.referrals, x.installations],
        ),
      ).toEqual([
        ['2025-26 Q1', '2025-05-16', '2025-06-30', 2, 1],
        ['2025-26 Q2', '2025-07-01', '2025-07-31', 1, 1],
      ]);
      expect(res.body.total.unsuccessful.landlordRefusal).toBe(1);
      // C3 was installed at 23:30 UTC on 30 June, which is 1 July in London.
      const q1Only = await get('target-hardening?from=2025-04-01&to=2025-06-30');
      expect(q1Only.body.total.installations).toBe(4);
      const sameDayUtc = await get('target-hardening?from=2025-07-01&to=2025-07-01');
      expect(sameDayUtc.body.total.installations).toBe(1);
    });

    it('gives scheme B only its own figures', async () => {
      const res = await get('target-hardening', b.manager.token);
      expect(res.body.total.referrals).toBe(3);
      expect(res.body.total.installations).toBe(1);
      expect(res.body.total.unsuccessful.landlordRefusal).toBe(1);
      expect(res.body.total.byContractor.map((c: { name: string }) => c.name)).toEqual([
        'SecureFit Ltd',
      ]);
      expect(res.body.total.byContractor[0].contractorId).toBe(b.contractorId);
    });

    it('answers CSV with a fixed header and a row per period, tenure and contractor', async () => {
      const res = await get('target-hardening').set('Accept', 'text/csv');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toBe(
        'attachment; filename="target-hardening_2025-04-01_2026-03-31.csv"',
      );
      const lines = res.text.trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'period,from,to,breakdown,key,name,referrals,installations,conversionRate,cancelled,unsuccessfulTotal,unsuccessfulLandlordRefusal,unsuccessfulConsentTimeout,unsuccessfulCannotFit,unsuccessfulOther,daysReferralToInstallMedian,daysReferralToInstallP90,resumedRelationship',
      );
      expect(lines[1]).toBe(
        '2025-26 Q1,2025-04-01,2025-06-30,all,,,6,4,0.6667,1,0,0,0,0,0,14,40,1',
      );
      expect(lines[2]).toBe(
        '2025-26 Q1,2025-04-01,2025-06-30,tenure,council,,4,3,0.75,1,0,0,0,0,0,14,40,1',
      );
      expect(lines).toContain(
        `2025-26 Q1,2025-04-01,2025-06-30,contractor,${k2},Bolt & Bar Ltd,,1,,,,,,,,13,13,0`,
      );
      expect(lines).toContain('2025-26 Q4,2026-01-01,2026-03-31,all,,,5,0,0,0,0,0,0,0,0,,,0');
      expect(lines).toContain('total,2025-04-01,2026-03-31,all,,,16,7,0.4375,2,2,1,1,0,0,14,40,2');
      expect(lines).toContain(
        `total,2025-04-01,2026-03-31,contractor,${k1},SecureFit Ltd,,4,,,,,,,,14.5,40,1`,
      );
      // 5 periods × (1 + 5 tenures) + contractors: Q1 2, Q2 1, Q3 2, Q4 0, total 2.
      expect(lines).toHaveLength(1 + 5 * 6 + 7);
    });

    it('draws the quarters as SVG', async () => {
      const res = await get('target-hardening.svg');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
      const svg = res.text || res.body.toString();
      expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
      expect(svg).toContain('2025-26 Q1');
      expect(svg).toContain('<title>Referrals, 2025-26 Q1: 6</title>');
      expect(svg).toContain('<title>Installations, 2025-26 Q3: 2</title>');
    });
  });

  describe('length of stay', () => {
    it('measures whole months from installation to end of support or today, for cases installed in the period', async () => {
      const res = await get('length-of-stay');
      expect(res.status).toBe(200);
      // C1 4, C3 7 (ongoing), C5 3 (ongoing), C9 0, C14 10 (ongoing), C15 6, C16 1 → [0,1,3,4,6,7,10].
      expect(res.body).toEqual(
        expect.objectContaining({
          from: '2025-04-01',
          to: '2026-03-31',
          measuredTo: '2026-02-10',
          count: 7,
          medianMonths: 4,
          stillInSupport: 3,
          bands: { lt1: 1, m1to3: 1, m3to6: 3, gt6: 2 },
        }),
      );
      expect(res.body.histogramMonths).toEqual(
        [1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1].map((count, months) => ({ months, count })),
      );
      expect(res.body.definitions.bands).toMatch(/exactly 1 month is in m1to3/);
    });

    it('counts the previous year’s cohort, where 31 March to 30 April is not yet a month', async () => {
      // C8: 31 Mar 2025 → 30 Apr 2025 never reaches a 31st: 0 whole months, as in the nightly measurement.
      const res = await get('length-of-stay?from=2024-04-01&to=2025-03-31');
      expect(res.body).toEqual(
        expect.objectContaining({
          count: 1,
          medianMonths: 0,
          stillInSupport: 0,
          bands: { lt1: 1, m1to3: 0, m3to6: 0, gt6: 0 },
        }),
      );
      expect(res.body.histogramMonths).toEqual([{ months: 0, count: 1 }]);
    });

    it('keeps measuring ongoing stays up to today', async () => {
      t.clock.set(new Date('2026-03-02T12:00:00Z'));
      try {
        const res = await get('length-of-stay');
        // C3 reaches 8 months on 1 Mar; C5 4 months on 20 Feb; C14 11 on 2 Mar → [0,1,4,4,6,8,11].
        expect(res.body.histogramMonths.filter((h: { count: number }) => h.count > 0)).toEqual([
          { months: 0, count: 1 },
          { months: 1, count: 1 },
          { months: 4, count: 2 },
          { months: 6, count: 1 },
          { months: 8, count: 1 },
          { months: 11, count: 1 },
        ]);
        expect(res.body.medianMonths).toBe(4);
        expect(res.body.measuredTo).toBe('2026-03-02');
      } finally {
        t.clock.set(NOW);
      }
    });

    it('is empty for a period with no installations', async () => {
      const res = await get('length-of-stay?from=2020-01-01&to=2020-12-31');
      expect(res.body).toEqual(
        expect.objectContaining({
          count: 0,
          medianMonths: null,
          histogramMonths: [],
          stillInSupport: 0,
          bands: { lt1: 0, m1to3: 0, m3to6: 0, gt6: 0 },
        }),
      );
      const svg = await get('length-of-stay.svg?from=2020-01-01&to=2020-12-31');
      expect(svg.text || svg.body.toString()).toContain('No data for this period');
    });

    it('answers CSV and SVG', async () => {
      const res = await get('length-of-stay').set('Accept', 'text/csv');
      const lines = res.text.trimEnd().split('\r\n');
      expect(lines[0]).toBe('from,to,section,item,value');
      expect(lines.slice(1, 8)).toEqual([
        '2025-04-01,2026-03-31,summary,count,7',
        '2025-04-01,2026-03-31,summary,medianMonths,4',
        '2025-04-01,2026-03-31,summary,stillInSupport,3',
        '2025-04-01,2026-03-31,bands,lt1,1',
        '2025-04-01,2026-03-31,bands,m1to3,1',
        '2025-04-01,2026-03-31,bands,m3to6,3',
        '2025-04-01,2026-03-31,bands,gt6,2',
      ]);
      expect(lines).toContain('2025-04-01,2026-03-31,histogramMonths,10,1');
      expect(lines).toHaveLength(1 + 7 + 11);
      const svg = await get('length-of-stay.svg');
      expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(svg.text || svg.body.toString()).toContain('<title>Cases, 10: 1</title>');
    });
  });

  describe('annual return', () => {
    it('counts the sanctuary section for the financial year, people once', async () => {
      const res = await get('annual-return?year=2025');
      expect(res.status).toBe(200);
      const { definitions, ...figures } = res.body;
      expect(figures).toEqual({
        year: 2025,
        financialYear: '2025-26',
        from: '2025-04-01',
        to: '2026-03-31',
        // Supported: C1+C5 (p1), C3, C8, C9, C14, C15, C16 → 7 people.
        householdsSupported: 7,
        individualsSupported: {
          total: 16,
          adults: { total: 7, female: 4, male: 1, transOrNonBinary: 1, notKnown: 1 },
          children: 9,
        },
        stillInSupportAtYearEnd: 3,
        specialistCharacteristics: {
          blackMinoritised: 2,
          disabled: 1,
          lgbtq: 2,
          male: 1,
          mentalHealth: 1,
          drug: 1,
          alcohol: 1,
          exOffender: 2,
          aged16to25: 3,
          aged65plus: 1,
        },
        ageBands: {
          under16: 0,
          aged16to25: 3,
          aged26to35: 1,
          aged36to45: 2,
          aged46to55: 0,
          aged56to64: 0,
          aged65plus: 1,
        },
        householdsUnableToBeSupported: {
          total: 2,
          byReason: {
            noCapacity: 0,
            unableToContact: 1,
            declinedSupport: 0,
            needsNotMet: 0,
            notEligible: 1,
            other: 1,
          },
        },
        householdsStoppedSupport: {
          total: 5,
          planned: 3,
          unplanned: 2,
          notRecorded: 0,
          byReason: {
            supportCompleted: 2,
            movedOtherSafeAccommodation: 1,
            movedInWithPerpetrator: 1,
            resumedRelationship: 1,
            askedToLeave: 1,
            disengaged: 0,
            movedAway: 0,
            other: 1,
          },
        },
        supportTypes: {
          advocacy: 3,
          preventionAdvice: 1,
          specialist: 1,
          general: 0,
          housingRelated: 1,
          advice: 0,
          children: 1,
        },
        // Leavers: C1 4, C8 0, C9 0, C15 6, C16 1 → [0,0,1,4,6].
        lengthOfStay: { count: 5, medianMonths: 1, bands: { lt1: 2, m1to3: 1, m3to6: 2, gt6: 0 } },
      });
      expect(Object.keys(definitions)).toEqual(
        expect.arrayContaining([
          'supportedInTheYear',
          'people',
          'individualsSupported',
          'specialistCharacteristics',
          'householdsUnableToBeSupported',
          'householdsStoppedSupport',
          'supportTypes',
          'lengthOfStay',
        ]),
      );
    });

    it('counts the previous year separately', async () => {
      const res = await get('annual-return?year=2024');
      expect(res.body.householdsSupported).toBe(1);
      expect(res.body.individualsSupported).toEqual({
        total: 2,
        adults: { total: 1, female: 1, male: 0, transOrNonBinary: 0, notKnown: 0 },
        children: 1,
      });
      expect(res.body.specialistCharacteristics.aged65plus).toBe(1);
      expect(res.body.householdsUnableToBeSupported.total).toBe(1);
      expect(res.body.householdsUnableToBeSupported.byReason.notEligible).toBe(1);
      expect(res.body.householdsStoppedSupport.total).toBe(0);
      expect(res.body.lengthOfStay).toEqual({
        count: 0,
        medianMonths: null,
        bands: { lt1: 0, m1to3: 0, m3to6: 0, gt6: 0 },
      });
    });

    it('defaults to the current financial year', async () => {
      expect((await get('annual-return')).body.year).toBe(2025);
    });

    it('gives scheme B only its own return', async () => {
      const res = await get('annual-return?year=2025', b.manager.token);
      expect(res.body.householdsSupported).toBe(1);
      expect(res.body.individualsSupported.adults).toEqual({
        total: 1,
        female: 0,
        male: 1,
        transOrNonBinary: 0,
        notKnown: 0,
      });
      expect(res.body.individualsSupported.children).toBe(5);
    });

    it('answers CSV with one row per figure', async () => {
      const res = await get('annual-return?year=2025').set('Accept', 'text/csv');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const lines = res.text.trimEnd().split('\r\n');
      expect(lines[0]).toBe('financialYear,section,item,value');
      expect(lines.slice(1, 4)).toEqual([
        '2025-26,householdsSupported,total,7',
        '2025-26,individualsSupported,total,16',
        '2025-26,individualsSupported.adults,total,7',
      ]);
      expect(lines).toContain('2025-26,specialistCharacteristics,lgbtq,2');
      expect(lines).toContain('2025-26,householdsStoppedSupport.byReason,movedInWithPerpetrator,1');
      expect(lines).toContain('2025-26,lengthOfStay,medianMonths,1');
      expect(lines).toContain('2025-26,lengthOfStay.bands,m3to6,2');
      expect(lines.every((l) => l.split(',').length === 4)).toBe(true);
    });
  });
});
