// A cohort of cases driven through the public workflow API, every event backdated with occurredAt
// (recorded in one go "today", 15 June 2026), then every report figure checked against the answers
// worked out by hand in the comments — in JSON and in CSV.
//
// People: Alice is referred twice (A1 in 2025, A7 in 2026); Bea has several characteristics; Hal's
// referral falls in the previous financial year but his installation in this one; Bea's install
// (23:30 UTC 30 June 2025) is 1 July in London, and Gail's (23:30 UTC 31 March 2026) is already the
// next financial year. Scheme B refers the same Alice and must never show up in scheme A.
import {
  bearer,
  login,
  makeScheme,
  PASSWORD,
  startApp,
  type Scheme,
  type TestApp,
} from './support/app.js';
import { act, caseBody } from './support/cases.js';

const NOW = new Date('2026-06-15T12:00:00Z');
/** Job dates are checked against the real time the job row was written, so schedule from the wall clock. */
const scheduledFor = () => new Date(Date.now() + 7 * 86_400_000).toISOString();
const MEASURES = [
  { code: 'door_reinforcement', quantity: 1, location: 'front door', estimatedCost: 450 },
];

type Step =
  | {
      do:
        | 'accept'
        | 'survey'
        | 'surveyed'
        | 'consent'
        | 'granted'
        | 'refused'
        | 'scheduled'
        | 'installed'
        | 'failedOnSite';
      at: string;
    }
  | { do: 'order'; at: string; contractor: 'k1' | 'k2' }
  | { do: 'review'; at: string; resumed: boolean }
  | {
      do: 'close';
      at: string;
      exit: 'planned' | 'unplanned';
      reasons: string[];
      supportTypes: string[];
    }
  | { do: 'cancel' | 'unsuccessful'; at: string; reason: string }
  | { do: 'decline'; at: string; reasons: string[] };

interface Person {
  name: string;
  dateOfBirth: string;
  gender: string;
}

interface Journey {
  person: Person;
  tenure: 'council' | 'housing_association' | 'private_rented' | 'owner_occupier';
  referralDate: string;
  characteristics?: string[];
  childrenAges?: number[];
  steps: Step[];
}

const ALICE: Person = { name: 'Alice Able', dateOfBirth: '1990-03-10', gender: 'female' };
const BEA: Person = { name: 'Bea Bold', dateOfBirth: '2001-07-01', gender: 'female' };
const CAL: Person = { name: 'Cal Cole', dateOfBirth: '1980-05-05', gender: 'male' };
const DEE: Person = { name: 'Dee Dunn', dateOfBirth: '1958-01-20', gender: 'trans_or_non_binary' };
const EVE: Person = { name: 'Eve Eden', dateOfBirth: '1995-02-02', gender: 'female' };
const FAY: Person = { name: 'Fay Ford', dateOfBirth: '1985-08-08', gender: 'female' };
const GAIL: Person = { name: 'Gail Gray', dateOfBirth: '1999-12-31', gender: 'female' };
const HAL: Person = { name: 'Hal Hart', dateOfBirth: '1970-04-04', gender: 'male' };
const IVY: Person = { name: 'Ivy Irons', dateOfBirth: '1992-06-06', gender: 'female' };
const JO: Person = { name: 'Jo Jay', dateOfBirth: '1988-09-09', gender: 'not_known' };
const KIM: Person = { name: 'Kim Key', dateOfBirth: '1975-11-11', gender: 'female' };
const LOU: Person = { name: 'Lou Lane', dateOfBirth: '1983-03-03', gender: 'female' };
const MO: Person = { name: 'Mo Moss', dateOfBirth: '1979-07-07', gender: 'male' };

/** accept → survey → surveyed (→ consent → granted) → ordered → scheduled, a day apart from `from`. */
function toScheduled(from: string, contractor: 'k1' | 'k2', consent: boolean): Step[] {
  const day = (n: number) =>
    new Date(Date.parse(`${from}T10:00:00Z`) + n * 86_400_000).toISOString();
  return [
    { do: 'accept', at: day(0) },
    { do: 'survey', at: day(1) },
    { do: 'surveyed', at: day(2) },
    ...(consent
      ? ([
          { do: 'consent', at: day(3) },
          { do: 'granted', at: day(4) },
        ] as Step[])
      : []),
    { do: 'order', at: day(5), contractor },
    { do: 'scheduled', at: day(6) },
  ];
}

const JOURNEYS: Record<string, Journey> = {
  // FY 2025-26 Q1 referral; installed 6 May 2025 (29 days, K1); closed 6 Nov 2025 after 6 months, planned.
  A1: {
    person: ALICE,
    tenure: 'housing_association',
    referralDate: '2025-04-07',
    childrenAges: [4, 9],
    steps: [
      ...toScheduled('2025-04-08', 'k1', true),
      { do: 'installed', at: '2025-05-06T10:00:00Z' },
      { do: 'review', at: '2025-06-01T10:00:00Z', resumed: false },
      {
        do: 'close',
        at: '2025-11-06T10:00:00Z',
        exit: 'planned',
        reasons: ['support_completed'],
        supportTypes: ['advocacy', 'children'],
      },
    ],
  },
  // Q1 referral; installed 23:30 UTC 30 June 2025 = 1 July in London (Q2, 15 days, K1); a review says the relationship resumed.
  A2: {
    person: BEA,
    tenure: 'council',
    referralDate: '2025-06-16',
    characteristics: ['black_minoritised', 'disabled', 'lgbtq', 'mental_health'],
    childrenAges: [2],
    steps: [
      ...toScheduled('2025-06-17', 'k1', true),
      { do: 'installed', at: '2025-06-30T23:30:00Z' },
      { do: 'review', at: '2025-09-01T10:00:00Z', resumed: true },
    ],
  },
  // Q2 referral, owner-occupier (no consent); installed 8 Oct 2025 (13 days, K2); closed after exactly 3 months, moved in with the perpetrator.
  A3: {
    person: CAL,
    tenure: 'owner_occupier',
    referralDate: '2025-09-25',
    characteristics: ['alcohol', 'ex_offender'],
    steps: [
      ...toScheduled('2025-09-26', 'k2', false),
      { do: 'installed', at: '2025-10-08T10:00:00Z' },
      {
        do: 'close',
        at: '2026-01-08T10:00:00Z',
        exit: 'unplanned',
        reasons: ['moved_in_with_perpetrator'],
        supportTypes: ['advocacy'],
      },
    ],
  },
  // Q3 referral, private let; the landlord refuses on 21 Nov 2025 → unsuccessful, landlord refusal (Q3).
  A4: {
    person: DEE,
    tenure: 'private_rented',
    referralDate: '2025-11-03',
    steps: [
      { do: 'accept', at: '2025-11-04T10:00:00Z' },
      { do: 'survey', at: '2025-11-05T10:00:00Z' },
      { do: 'surveyed', at: '2025-11-07T10:00:00Z' },
      { do: 'consent', at: '2025-11-10T10:00:00Z' },
      { do: 'refused', at: '2025-11-21T10:00:00Z' },
    ],
  },
  // Q3 referral, declined the next day: no capacity.
  A5: {
    person: EVE,
    tenure: 'council',
    referralDate: '2025-12-01',
    steps: [{ do: 'decline', at: '2025-12-02T10:00:00Z', reasons: ['no_capacity'] }],
  },
  // Q4 referral, cancelled 2 Feb 2026 (withdrew).
  A6: {
    person: FAY,
    tenure: 'housing_association',
    referralDate: '2026-01-12',
    steps: [
      { do: 'accept', at: '2026-01-13T10:00:00Z' },
      { do: 'cancel', at: '2026-02-02T10:00:00Z', reason: 'withdrew' },
    ],
  },
  // Alice again: Q4 referral; installed 20 Mar 2026 (32 days, K2); still in support.
  A7: {
    person: ALICE,
    tenure: 'housing_association',
    referralDate: '2026-02-16',
    characteristics: ['drug'],
    childrenAges: [4, 9, 1],
    steps: [
      ...toScheduled('2026-02-17', 'k2', true),
      { do: 'installed', at: '2026-03-20T10:00:00Z' },
    ],
  },
  // Q4 referral; installed 23:30 UTC 31 March 2026 = 1 April in London: financial year 2026-27 (30 days, K1).
  A8: {
    person: GAIL,
    tenure: 'owner_occupier',
    referralDate: '2026-03-02',
    steps: [
      ...toScheduled('2026-03-03', 'k1', false),
      { do: 'installed', at: '2026-03-31T23:30:00Z' },
    ],
  },
  // Referred in the previous year (25 Mar 2025); installed 10 Apr 2025 (Q1, 16 days, K1); left after 0 whole months.
  A9: {
    person: HAL,
    tenure: 'council',
    referralDate: '2025-03-25',
    steps: [
      ...toScheduled('2025-03-26', 'k1', true),
      { do: 'installed', at: '2025-04-10T10:00:00Z' },
      {
        do: 'close',
        at: '2025-05-09T10:00:00Z',
        exit: 'unplanned',
        reasons: ['asked_to_leave', 'other'],
        supportTypes: ['prevention_advice'],
      },
    ],
  },
  // Q2 referral; the installer is turned away by the landlord on 1 Aug 2025 → unsuccessful, landlord refusal (Q2).
  A10: {
    person: IVY,
    tenure: 'housing_association',
    referralDate: '2025-07-14',
    steps: [
      ...toScheduled('2025-07-15', 'k2', true),
      { do: 'failedOnSite', at: '2025-08-01T10:00:00Z' },
    ],
  },
  // Q3 referral; unsuccessful (cannot fit) on 5 Jan 2026 (Q4).
  A11: {
    person: JO,
    tenure: 'council',
    referralDate: '2025-10-13',
    steps: [
      { do: 'accept', at: '2025-10-14T10:00:00Z' },
      { do: 'unsuccessful', at: '2026-01-05T10:00:00Z', reason: 'cannot_fit' },
    ],
  },
  // Open on 15 June 2026: referred 1 June (14 days in stage).
  A12: { person: KIM, tenure: 'council', referralDate: '2026-06-01', steps: [] },
  // Open: consent requested 18 May 2026 (28 days), due after 10 working days → overdue.
  A13: {
    person: LOU,
    tenure: 'housing_association',
    referralDate: '2026-05-11',
    steps: [
      { do: 'accept', at: '2026-05-12T10:00:00Z' },
      { do: 'survey', at: '2026-05-13T10:00:00Z' },
      { do: 'surveyed', at: '2026-05-15T10:00:00Z' },
      { do: 'consent', at: '2026-05-18T10:00:00Z' },
    ],
  },
  // Open: install ordered 1 June 2026 (14 days), never confirmed (confirm-by 72 hours later) → overdue job.
  A14: {
    person: MO,
    tenure: 'owner_occupier',
    referralDate: '2026-05-20',
    steps: [
      { do: 'accept', at: '2026-05-21T10:00:00Z' },
      { do: 'survey', at: '2026-05-22T10:00:00Z' },
      { do: 'surveyed', at: '2026-05-26T10:00:00Z' },
      { do: 'order', at: '2026-06-01T10:00:00Z', contractor: 'k2' },
    ],
  },
};

function parseCsv(text: string): string[][] {
  // The reports never put quotes or line breaks in these cells except contractor names, which have none here.
  return text
    .trimEnd()
    .split('\r\n')
    .map((l) => l.split(','));
}

describe('reports (cohort through the workflow API)', () => {
  let t: TestApp;
  let a: Scheme;
  let b: Scheme;
  const contractors: Record<'k1' | 'k2', { id: string; token: string }> = {} as never;

  async function run(
    s: Scheme,
    j: Journey,
    who: Record<'k1' | 'k2', { id: string; token: string }>,
  ): Promise<void> {
    const landlordId =
      j.tenure === 'owner_occupier'
        ? undefined
        : j.tenure === 'private_rented'
          ? s.privateLandlordId
          : s.landlordId;
    const body = caseBody(s, {
      serviceUser: { ...j.person },
      tenure: j.tenure,
      landlordId,
      referralDate: j.referralDate,
      characteristics: j.characteristics ?? [],
      household: { adults: 1, childrenAges: j.childrenAges ?? [] },
    });
    const res = await t.http.post('/api/v1/cases').set(bearer(s.idva.token)).send(body);
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
    const id = res.body.id as string;
    let approvalId = '';
    let jobId = '';
    let installer = '';
    for (const step of j.steps) {
      const at = { occurredAt: step.at };
      switch (step.do) {
        case 'accept':
          await act(t.http, s.idva.token, `/cases/${id}/accept`, at);
          break;
        case 'survey':
          await act(t.http, s.idva.token, `/cases/${id}/survey`, {
            ...at,
            scheduledFor: step.at,
            surveyor: 'Sam Surveyor',
          });
          break;
        case 'surveyed':
          await act(t.http, s.idva.token, `/cases/${id}/survey/result`, {
            ...at,
            measures: MEASURES,
          });
          break;
        case 'consent':
          approvalId = (await act(t.http, s.idva.token, `/cases/${id}/consent-requests`, at, 201))
            .id;
          break;
        case 'granted':
        case 'refused':
          await act(t.http, s.idva.token, `/approvals/${approvalId}/decision`, {
            ...at,
            decision: step.do,
            respondent: 'Housing officer',
          });
          break;
        case 'order':
          jobId = (
            await act(
              t.http,
              s.idva.token,
              `/cases/${id}/install-jobs`,
              { ...at, contractorId: who[step.contractor].id },
              201,
            )
          ).id;
          installer = who[step.contractor].token;
          break;
        case 'scheduled':
          await act(t.http, installer, `/jobs/${jobId}/accept`, {
            ...at,
            scheduledFor: scheduledFor(),
          });
          break;
        case 'installed':
          await act(t.http, installer, `/jobs/${jobId}/complete`, {
            ...at,
            measuresInstalled: [{ code: 'door_reinforcement', quantity: 1 }],
          });
          break;
        case 'failedOnSite':
          await act(t.http, installer, `/jobs/${jobId}/fail`, {
            ...at,
            reason: 'landlord_refused_on_site',
          });
          break;
        case 'review':
          await act(
            t.http,
            s.idva.token,
            `/cases/${id}/reviews`,
            { ...at, feelsSafer: 8, incidentsSinceInstall: 0, resumedRelationship: step.resumed },
            201,
          );
          break;
        case 'close':
          await act(t.http, s.idva.token, `/cases/${id}/close`, {
            ...at,
            exit: step.exit,
            reasons: step.reasons,
            supportTypes: step.supportTypes,
          });
          break;
        case 'cancel':
          await act(t.http, s.idva.token, `/cases/${id}/cancel`, { ...at, reason: step.reason });
          break;
        case 'unsuccessful':
          await act(t.http, s.idva.token, `/cases/${id}/unsuccessful`, {
            ...at,
            reason: step.reason,
          });
          break;
        case 'decline':
          await act(t.http, s.idva.token, `/cases/${id}/decline`, { ...at, reasons: step.reasons });
          break;
      }
    }
  }

  const get = (path: string, token = a.manager.token) =>
    t.http.get(`/api/v1/reports/${path}`).set(bearer(token));

  beforeAll(async () => {
    t = await startApp();
    t.clock.set(NOW);
    a = await makeScheme(t, 'Alpha');
    b = await makeScheme(t, 'Beta');
    const k2 = await t.http
      .post('/api/v1/contractors')
      .set(bearer(a.manager.token))
      .send({ name: 'Bolt & Bar Ltd', email: 'bolt@cohort.test', phone: '024 7600 3333' });
    const email = `bolt-installer-${Date.now()}@test.local`;
    await t.http
      .post('/api/v1/users')
      .set(bearer(a.manager.token))
      .send({
        email,
        name: 'Bo Installer',
        role: 'installer',
        contractorId: k2.body.id,
        password: PASSWORD,
      })
      .expect(201);
    contractors.k1 = { id: a.contractorId, token: a.installer.token };
    contractors.k2 = { id: k2.body.id, token: await login(t.http, email, PASSWORD) };
    for (const j of Object.values(JOURNEYS)) await run(a, j, contractors);
    // Scheme B: the same Alice (same person hash), installed in 2025-26 by B's own contractor.
    const bWho = {
      k1: { id: b.contractorId, token: b.installer.token },
      k2: { id: b.contractorId, token: b.installer.token },
    };
    await run(
      b,
      {
        person: ALICE,
        tenure: 'owner_occupier',
        referralDate: '2025-05-01',
        steps: [
          ...toScheduled('2025-05-02', 'k1', false),
          { do: 'installed', at: '2025-06-01T10:00:00Z' },
        ],
      },
      bWho,
    );
  });
  afterAll(async () => t?.close());

  it('built the cohort through the workflow, with backdated events', async () => {
    const [row] = await t.ds.query(
      `SELECT count(*)::int AS n, bool_and(recorded_at - occurred_at > interval '60 days') AS all_backdated,
              (SELECT count(*)::int FROM cases WHERE scheme_id = $1 AND installed_at IS NOT NULL) AS installed_cases
       FROM case_events WHERE scheme_id = $1 AND type = 'installed'`,
      [a.id],
    );
    expect(row).toEqual({ n: 6, all_backdated: true, installed_cases: 6 });
  });

  describe('target hardening, 2025-26', () => {
    const unsuccessful = (landlordRefusal = 0, consentTimeout = 0, cannotFit = 0, other = 0) => ({
      total: landlordRefusal + consentTimeout + cannotFit + other,
      landlordRefusal,
      consentTimeout,
      cannotFit,
      other,
    });
    const tenure = (
      name: string,
      referrals: number,
      installations: number,
      conversionRate: number | null,
      days: [number | null, number | null] = [null, null],
      extra: {
        cancelled?: number;
        unsuccessful?: ReturnType<typeof unsuccessful>;
        resumedRelationship?: number;
      } = {},
    ) => ({
      tenure: name,
      referrals,
      installations,
      conversionRate,
      cancelled: extra.cancelled ?? 0,
      unsuccessful: extra.unsuccessful ?? unsuccessful(),
      daysReferralToInstall: { median: days[0], p90: days[1] },
      resumedRelationship: extra.resumedRelationship ?? 0,
    });

    it('gives every figure per quarter and in total', async () => {
      const res = await get('target-hardening?from=2025-04-01&to=2026-03-31');
      expect(res.status).toBe(200);
      const k1 = contractors.k1.id;
      const k2 = contractors.k2.id;
      const contractor = (
        id: string,
        name: string,
        installations: number,
        median: number,
        p90: number,
        resumed: number,
      ) => ({
        contractorId: id,
        name,
        installations,
        daysReferralToInstall: { median, p90 },
        resumedRelationship: resumed,
      });
      const { definitions, ...body } = res.body;
      expect(definitions.conversionRate).toMatch(/counted by when it happened/);
      expect(body).toEqual({
        from: '2025-04-01',
        to: '2026-03-31',
        timeZone: 'Europe/London',
        quarters: [
          {
            // Referrals A1 A2; installs A1 (29 days) and A9 (16, referred last year) → median 22.5, p90 29.
            period: '2025-26 Q1',
            from: '2025-04-01',
            to: '2025-06-30',
            referrals: 2,
            installations: 2,
            conversionRate: 1,
            cancelled: 0,
            unsuccessful: unsuccessful(),
            byTenure: [
              tenure('council', 1, 1, 1, [16, 16]),
              tenure('housing_association', 1, 1, 1, [29, 29]),
              tenure('private_rented', 0, 0, null),
              tenure('owner_occupier', 0, 0, null),
              tenure('other', 0, 0, null),
            ],
            byContractor: [contractor(k1, 'SecureFit Ltd', 2, 22.5, 29, 0)],
            daysReferralToInstall: { median: 22.5, p90: 29 },
            resumedRelationship: 0,
          },
          {
            // Referrals A3 A10; install A2 (1 July in London, 15 days, resumed); A10 turned away by the landlord.
            period: '2025-26 Q2',
            from: '2025-07-01',
            to: '2025-09-30',
            referrals: 2,
            installations: 1,
            conversionRate: 0.5,
            cancelled: 0,
            unsuccessful: unsuccessful(1),
            byTenure: [
              tenure('council', 0, 1, null, [15, 15], { resumedRelationship: 1 }),
              tenure('housing_association', 1, 0, 0, [null, null], {
                unsuccessful: unsuccessful(1),
              }),
              tenure('private_rented', 0, 0, null),
              tenure('owner_occupier', 1, 0, 0),
              tenure('other', 0, 0, null),
            ],
            byContractor: [contractor(k1, 'SecureFit Ltd', 1, 15, 15, 1)],
            daysReferralToInstall: { median: 15, p90: 15 },
            resumedRelationship: 1,
          },
          {
            // Referrals A4 A5 A11; install A3 (13 days, later moved in with the perpetrator); A4 refused by the landlord.
            period: '2025-26 Q3',
            from: '2025-10-01',
            to: '2025-12-31',
            referrals: 3,
            installations: 1,
            conversionRate: 0.3333,
            cancelled: 0,
            unsuccessful: unsuccessful(1),
            byTenure: [
              tenure('council', 2, 0, 0),
              tenure('housing_association', 0, 0, null),
              tenure('private_rented', 1, 0, 0, [null, null], { unsuccessful: unsuccessful(1) }),
              tenure('owner_occupier', 0, 1, null, [13, 13], { resumedRelationship: 1 }),
              tenure('other', 0, 0, null),
            ],
            byContractor: [contractor(k2, 'Bolt & Bar Ltd', 1, 13, 13, 1)],
            daysReferralToInstall: { median: 13, p90: 13 },
            resumedRelationship: 1,
          },
          {
            // Referrals A6 A7 A8; install A7 (32 days); A6 cancelled; A11 cannot fit. A8's install is 1 April.
            period: '2025-26 Q4',
            from: '2026-01-01',
            to: '2026-03-31',
            referrals: 3,
            installations: 1,
            conversionRate: 0.3333,
            cancelled: 1,
            unsuccessful: unsuccessful(0, 0, 1),
            byTenure: [
              tenure('council', 0, 0, null, [null, null], { unsuccessful: unsuccessful(0, 0, 1) }),
              tenure('housing_association', 2, 1, 0.5, [32, 32], { cancelled: 1 }),
              tenure('private_rented', 0, 0, null),
              tenure('owner_occupier', 1, 0, 0),
              tenure('other', 0, 0, null),
            ],
            byContractor: [contractor(k2, 'Bolt & Bar Ltd', 1, 32, 32, 0)],
            daysReferralToInstall: { median: 32, p90: 32 },
            resumedRelationship: 0,
          },
        ],
        total: {
          // Days [13, 15, 16, 29, 32] → median 16, p90 (5th of 5) 32.
          period: 'total',
          from: '2025-04-01',
          to: '2026-03-31',
          referrals: 10,
          installations: 5,
          conversionRate: 0.5,
          cancelled: 1,
          unsuccessful: unsuccessful(2, 0, 1),
          byTenure: [
            tenure('council', 3, 2, 0.6667, [15.5, 16], {
              unsuccessful: unsuccessful(0, 0, 1),
              resumedRelationship: 1,
            }),
            tenure('housing_association', 4, 2, 0.5, [30.5, 32], {
              cancelled: 1,
              unsuccessful: unsuccessful(1),
            }),
            tenure('private_rented', 1, 0, 0, [null, null], { unsuccessful: unsuccessful(1) }),
            tenure('owner_occupier', 2, 1, 0.5, [13, 13], { resumedRelationship: 1 }),
            tenure('other', 0, 0, null),
          ],
          byContractor: [
            contractor(k2, 'Bolt & Bar Ltd', 2, 22.5, 32, 1),
            contractor(k1, 'SecureFit Ltd', 3, 16, 29, 1),
          ],
          daysReferralToInstall: { median: 16, p90: 32 },
          resumedRelationship: 2,
        },
      });
    });

    it('gives the same figures as CSV', async () => {
      const json = (await get('target-hardening?from=2025-04-01&to=2026-03-31')).body;
      const res = await get('target-hardening?from=2025-04-01&to=2026-03-31').set(
        'Accept',
        'text/csv',
      );
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const [header, ...rows] = parseCsv(res.text);
      expect(header).toEqual([
        'period',
        'from',
        'to',
        'breakdown',
        'key',
        'name',
        'referrals',
        'installations',
        'conversionRate',
        'cancelled',
        'unsuccessfulTotal',
        'unsuccessfulLandlordRefusal',
        'unsuccessfulConsentTimeout',
        'unsuccessfulCannotFit',
        'unsuccessfulOther',
        'daysReferralToInstallMedian',
        'daysReferralToInstallP90',
        'resumedRelationship',
      ]);
      const cell = (v: number | null) => (v === null ? '' : String(v));
      const expected: string[][] = [];
      for (const p of [...json.quarters, json.total]) {
        const head = [p.period, p.from, p.to];
        const u = p.unsuccessful;
        expected.push([
          ...head,
          'all',
          '',
          '',
          ...[
            p.referrals,
            p.installations,
            p.conversionRate,
            p.cancelled,
            u.total,
            u.landlordRefusal,
            u.consentTimeout,
            u.cannotFit,
            u.other,
            p.daysReferralToInstall.median,
            p.daysReferralToInstall.p90,
            p.resumedRelationship,
          ].map(cell),
        ]);
        for (const x of p.byTenure) {
          const tu = x.unsuccessful;
          expected.push([
            ...head,
            'tenure',
            x.tenure,
            '',
            ...[
              x.referrals,
              x.installations,
              x.conversionRate,
              x.cancelled,
              tu.total,
              tu.landlordRefusal,
              tu.consentTimeout,
              tu.cannotFit,
              tu.other,
              x.daysReferralToInstall.median,
              x.daysReferralToInstall.p90,
              x.resumedRelationship,
            ].map(cell),
          ]);
        }
        for (const c of p.byContractor) {
          expected.push([
            ...head,
            'contractor',
            c.contractorId,
            c.name,
            '',
            String(c.installations),
            '',
            '',
            '',
            '',
            '',
            '',
            '',
            cell(c.daysReferralToInstall.median),
            cell(c.daysReferralToInstall.p90),
            String(c.resumedRelationship),
          ]);
        }
      }
      expect(rows).toEqual(expected);
      expect(rows.find((r) => r[0] === 'total' && r[3] === 'all')).toEqual([
        'total',
        '2025-04-01',
        '2026-03-31',
        'all',
        '',
        '',
        '10',
        '5',
        '0.5',
        '1',
        '3',
        '2',
        '0',
        '1',
        '0',
        '16',
        '32',
        '2',
      ]);
    });

    it('runs on into the next financial year when asked', async () => {
      const res = await get('target-hardening?from=2025-04-01&to=2026-06-15');
      const last = res.body.quarters[4];
      // A12 A13 A14 referred; A8 installed on 1 April in London (30 days).
      expect([last.period, last.from, last.to, last.referrals, last.installations]).toEqual([
        '2026-27 Q1',
        '2026-04-01',
        '2026-06-15',
        3,
        1,
      ]);
      expect(last.daysReferralToInstall).toEqual({ median: 30, p90: 30 });
      expect([res.body.total.referrals, res.body.total.installations]).toEqual([13, 6]);
    });

    it('never counts scheme B in scheme A, nor A in B', async () => {
      const res = await get('target-hardening?from=2025-04-01&to=2026-03-31', b.manager.token);
      expect([res.body.total.referrals, res.body.total.installations]).toEqual([1, 1]);
      expect(
        res.body.total.byContractor.map((c: { contractorId: string }) => c.contractorId),
      ).toEqual([b.contractorId]);
    });
  });

  describe('length of stay, installed in 2025-26', () => {
    it('measures whole months to the end of support or to today', async () => {
      const res = await get('length-of-stay?from=2025-04-01&to=2026-03-31');
      // A1 6 (closed), A2 11 (1 Jul 2025 → 15 Jun 2026, ongoing), A3 3 (closed), A7 2 (ongoing), A9 0 (closed).
      const { definitions, ...body } = res.body;
      expect(definitions.months).toMatch(/whole calendar months/);
      expect(body).toEqual({
        from: '2025-04-01',
        to: '2026-03-31',
        measuredTo: '2026-06-15',
        count: 5,
        medianMonths: 3,
        histogramMonths: [1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1].map((count, months) => ({
          months,
          count,
        })),
        bands: { lt1: 1, m1to3: 1, m3to6: 2, gt6: 1 },
        stillInSupport: 2,
      });
      const csv = parseCsv(
        (await get('length-of-stay?from=2025-04-01&to=2026-03-31').set('Accept', 'text/csv')).text,
      );
      expect(csv[0]).toEqual(['from', 'to', 'section', 'item', 'value']);
      const byKey = new Map(csv.slice(1).map((r) => [`${r[2]}.${r[3]}`, r[4]]));
      expect(byKey.get('summary.count')).toBe('5');
      expect(byKey.get('summary.medianMonths')).toBe('3');
      expect(byKey.get('summary.stillInSupport')).toBe('2');
      for (const [band, n] of Object.entries(body.bands))
        expect(byKey.get(`bands.${band}`)).toBe(String(n));
      for (const h of body.histogramMonths)
        expect(byKey.get(`histogramMonths.${h.months}`)).toBe(String(h.count));
      expect(csv).toHaveLength(1 + 3 + 4 + 12);
    });
  });

  describe('annual return 2025-26', () => {
    const expected = {
      year: 2025,
      financialYear: '2025-26',
      from: '2025-04-01',
      to: '2026-03-31',
      // Supported: A1 + A7 (Alice, once), A2 (Bea), A3 (Cal), A9 (Hal). A8 starts on 1 April 2026.
      householdsSupported: 4,
      // Children from the latest case: Alice 3 (A7), Bea 1, Cal 0, Hal 0.
      individualsSupported: {
        total: 8,
        adults: { total: 4, female: 2, male: 2, transOrNonBinary: 0, notKnown: 0 },
        children: 4,
      },
      stillInSupportAtYearEnd: 2,
      // Bea counts once in each of four groups; Alice's drug need comes from her second referral.
      specialistCharacteristics: {
        blackMinoritised: 1,
        disabled: 1,
        lgbtq: 1,
        male: 2,
        mentalHealth: 1,
        drug: 1,
        alcohol: 1,
        exOffender: 1,
        aged16to25: 1,
        aged65plus: 0,
      },
      // Ages at referral of the latest case: Alice 35, Bea 23, Cal 45, Hal 54.
      ageBands: {
        under16: 0,
        aged16to25: 1,
        aged26to35: 1,
        aged36to45: 1,
        aged46to55: 1,
        aged56to64: 0,
        aged65plus: 0,
      },
      householdsUnableToBeSupported: {
        total: 1,
        byReason: {
          noCapacity: 1,
          unableToContact: 0,
          declinedSupport: 0,
          needsNotMet: 0,
          notEligible: 0,
          other: 0,
        },
      },
      // A1 planned (6 months), A3 unplanned (3), A9 unplanned (0).
      householdsStoppedSupport: {
        total: 3,
        planned: 1,
        unplanned: 2,
        notRecorded: 0,
        byReason: {
          supportCompleted: 1,
          movedOtherSafeAccommodation: 0,
          movedInWithPerpetrator: 1,
          resumedRelationship: 0,
          askedToLeave: 1,
          disengaged: 0,
          movedAway: 0,
          other: 1,
        },
      },
      supportTypes: {
        advocacy: 2,
        preventionAdvice: 1,
        specialist: 0,
        general: 0,
        housingRelated: 0,
        advice: 0,
        children: 1,
      },
      lengthOfStay: { count: 3, medianMonths: 3, bands: { lt1: 1, m1to3: 0, m3to6: 2, gt6: 0 } },
    };

    it('counts the sanctuary section by hand-checked definitions', async () => {
      const res = await get('annual-return?year=2025');
      expect(res.status).toBe(200);
      const { definitions, ...body } = res.body;
      expect(body).toEqual(expected);
      expect(definitions.supportedInTheYear).toMatch(/overlaps/);
    });

    it('gives every figure as CSV', async () => {
      const res = await get('annual-return?year=2025').set('Accept', 'text/csv');
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const [header, ...rows] = parseCsv(res.text);
      expect(header).toEqual(['financialYear', 'section', 'item', 'value']);
      // Rebuild the figures from the CSV rows and compare with the hand-computed answer.
      const rebuilt: Record<string, any> = {};
      for (const [fy, section, item, value] of rows) {
        expect(fy).toBe('2025-26');
        const path = [...section.split('.'), item];
        const leafIsTotal =
          path.length === 2 &&
          item === 'total' &&
          typeof (expected as Record<string, unknown>)[section] === 'number';
        let node = rebuilt;
        const keys = leafIsTotal ? [section] : path;
        for (const k of keys.slice(0, -1)) node = node[k] ??= {};
        node[keys[keys.length - 1]] = value === '' ? null : Number(value);
      }
      const { year: _y, financialYear: _f, from: _from, to: _to, ...figures } = expected;
      expect(rebuilt).toEqual(figures);
    });

    it('counts Alice once in 2026-27 too, with Gail who started on 1 April', async () => {
      const res = await get('annual-return?year=2026');
      expect(res.body.householdsSupported).toBe(3);
      expect(res.body.stillInSupportAtYearEnd).toBe(3);
      expect(res.body.individualsSupported.adults).toEqual({
        total: 3,
        female: 3,
        male: 0,
        transOrNonBinary: 0,
        notKnown: 0,
      });
    });

    it('keeps scheme B’s Alice out of scheme A and counts her in B', async () => {
      const res = await get('annual-return?year=2025', b.manager.token);
      expect(res.body.householdsSupported).toBe(1);
      expect(res.body.individualsSupported.children).toBe(0);
    });
  });

  describe('pipeline on 15 June 2026', () => {
    it('counts open cases by stage with age in stage, and overdue approvals and jobs', async () => {
      const res = await get('pipeline');
      const stages = Object.fromEntries(
        res.body.stages.map((s: { stage: string; count: number; ageInStageDays: unknown }) => [
          s.stage,
          [s.count, s.ageInStageDays],
        ]),
      );
      expect(stages).toEqual({
        referred: [1, { median: 14, oldest: 14 }], // A12 since 1 June
        accepted: [0, { median: null, oldest: null }],
        survey_booked: [0, { median: null, oldest: null }],
        surveyed: [0, { median: null, oldest: null }],
        awaiting_consent: [1, { median: 28, oldest: 28 }], // A13 since 18 May
        install_ordered: [1, { median: 14, oldest: 14 }], // A14 since 1 June
        install_scheduled: [0, { median: null, oldest: null }],
        in_support: [3, { median: 87, oldest: 349 }], // A8 75, A7 87, A2 349 days
      });
      expect(res.body.openCases).toBe(6);
      expect(res.body.overdue.approvals).toEqual(
        expect.objectContaining({ pending: 1, total: 1, landlordConsent: 1, cost: 0, survey: 0 }),
      );
      expect(res.body.overdue.jobs).toEqual(
        expect.objectContaining({ live: 1, total: 1, unconfirmed: 1, pastScheduledDate: 0 }),
      );

      const csv = parseCsv((await get('pipeline').set('Accept', 'text/csv')).text);
      expect(csv).toContainEqual(['stage', 'in_support', '3', '87', '349', '0']);
      // (flaggedOverdue of awaiting_consent depends on whether the chaser has escalated A13 yet)
      expect(csv.find((r) => r[1] === 'awaiting_consent')?.slice(0, 5)).toEqual([
        'stage',
        'awaiting_consent',
        '1',
        '28',
        '28',
      ]);
      expect(csv).toContainEqual(['approvals', 'landlordConsent', '1', '', '', '']);
      expect(csv).toContainEqual(['jobs', 'unconfirmed', '1', '', '', '']);
    });
  });
});
