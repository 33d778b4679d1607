// The target-hardening report reads whole months from target_hardening_months (kept by a trigger on
// cases) and only the partial months at the ends live. This checks, over a seeded random data set
// spanning ten years, that:
// - every figure of the report is exactly what the previous implementation (one statement over the
//   cases, kept in test/support/target-hardening-reference.ts) answers, for ranges of a day, a
//   quarter, a year, five and ten years, with ends inside months and across the clock changes;
// - after a random sequence of changes to cases (transitions, backdated and corrected dates,
//   reopening, tenure/referral/contractor corrections, inserts, deletes, set-based and rolled-back
//   updates, concurrent writers, and the workflow API itself) the monthly totals still equal the
//   facts computed directly from the cases, and the report still equals the reference.
// The random data is seeded, so a failure reproduces.
import { TENURES, UNSUCCESSFUL_REASONS } from '../src/cases/codes.js';
import { ReportsRepository, type PeriodBounds } from '../src/reports/reports.repository.js';
import { ReportsService } from '../src/reports/reports.service.js';
import { bearer, makeScheme, type Scheme, type TestApp, startApp } from './support/app.js';
import { act, toScheduled } from './support/cases.js';
import { seedCase, type SeedCase } from './support/report-seed.js';
import { referenceTargetHardening } from './support/target-hardening-reference.js';

const NOW = new Date('2026-06-15T12:00:00Z');
const DAY = 86_400_000;

/** mulberry32: a small seeded generator, so the data set is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RANGES: { from?: string; to?: string }[] = [
  {}, // the current financial year so far
  { from: '2016-04-01', to: '2026-06-15' }, // all ten years
  { from: '2016-04-15', to: '2026-06-14' }, // ten years, both ends inside a month
  { from: '2021-04-01', to: '2026-03-31' }, // five financial years
  { from: '2020-11-20', to: '2025-11-19' }, // five years from mid-month
  { from: '2022-04-01', to: '2023-03-31' }, // one financial year
  { from: '2022-06-10', to: '2023-06-09' }, // one year from mid-month
  { from: '2024-07-01', to: '2024-09-30' }, // one quarter
  { from: '2023-05-17', to: '2023-08-09' }, // across a quarter, inside months at both ends
  { from: '2019-01-01', to: '2019-06-30' }, // two quarters with no data at all
  { from: '2018-10-01', to: '2019-09-30' }, // whole quarters with and without data
  { from: '2025-03-30', to: '2025-03-30' }, // the day the clocks go forward
  { from: '2024-10-27', to: '2024-11-30' }, // from the day the clocks go back
  { from: '2020-02-01', to: '2020-02-29' }, // one whole month (leap year)
  { from: '2017-07-14', to: '2017-07-14' }, // one day
];

describe('target-hardening report from the monthly totals', () => {
  let t: TestApp;
  let a: Scheme;
  let b: Scheme;
  let contractors: string[];
  let sut: ReportsService;
  let reference: ReportsService;
  const caseIds: string[] = [];
  const random = prng(20261202);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  /** An instant on a given date at an hour that lands near London's midnight as often as not. */
  const instantOn = (date: string) =>
    new Date(
      Date.parse(`${date}T00:00:00Z`) + pick([0.5, 9, 22.5, 23.5, 23.99]) * 3_600_000,
    ).toISOString();
  const plusDays = (date: string, n: number) =>
    new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await startApp();
    t.clock.set(NOW);
    a = await makeScheme(t, 'Months A');
    b = await makeScheme(t, 'Months B');
    contractors = [a.contractorId];
    for (const name of ['Bolt & Bar Ltd', 'Castle Locks']) {
      const res = await t.http
        .post('/api/v1/contractors')
        .set(bearer(a.manager.token))
        .send({ name, email: `${name.length}@contractor.test`, phone: '024 7600 2222' });
      contractors.push(res.body.id);
    }
    const repo = t.app.get(ReportsRepository);
    sut = t.app.get(ReportsService);
    // The same service with the previous query in place of the monthly totals.
    class ReferenceReportsService extends ReportsService {
      protected override targetHardeningRows(schemeId: string, p: PeriodBounds) {
        return referenceTargetHardening(t.ds, schemeId, p);
      }
    }
    reference = new ReferenceReportsService(repo, t.clock);

    // 420 cases over ten years; no fact at all in 2019-01-01..2019-06-30 (referrals skip
    // 2018-06..2019-06 and every later event comes within 200 days of the referral).
    const persons = Array.from({ length: 300 }, (_, i) => `person-${i}`);
    const seeds: SeedCase[] = [];
    for (let i = 0; seeds.length < 420; i++) {
      const referralDate = plusDays('2016-04-01', int(0, 3727));
      if (referralDate >= '2018-06-01' && referralDate < '2019-07-01') continue;
      const lag = Math.min(200, int(-3, 180)); // a few installs dated before the referral
      const eventDate = plusDays(referralDate, Math.max(lag, 1));
      const r = random();
      const c: SeedCase = {
        ref: `M${i}`,
        person: pick(persons),
        status: 'referred',
        referralDate,
        tenure: pick(TENURES),
        statusChangedAt: `${referralDate}T09:00:00Z`,
      };
      if (eventDate > '2026-06-14') {
        // still open at "now"
      } else if (r < 0.1) {
        Object.assign(c, { status: 'declined', statusChangedAt: instantOn(eventDate) });
      } else if (r < 0.22) {
        Object.assign(c, {
          status: 'cancelled',
          statusChangedAt: instantOn(eventDate),
          outcomeReason: pick(['withdrew', 'moved', 'no_contact', undefined]),
        });
      } else if (r < 0.36) {
        Object.assign(c, {
          status: 'unsuccessful',
          statusChangedAt: instantOn(eventDate),
          outcomeReason: pick([...UNSUCCESSFUL_REASONS, 'landlord_sold_up', undefined]),
        });
      } else if (r < 0.9) {
        const installedAt = instantOn(plusDays(referralDate, lag));
        const ended = random() < 0.6 ? plusDays(eventDate, int(1, 180)) : null;
        const closed = ended !== null && ended <= '2026-06-14';
        Object.assign(c, {
          status: closed ? 'closed' : 'in_support',
          installedAt,
          statusChangedAt: closed ? `${ended}T10:00:00Z` : installedAt,
          supportEndedAt: closed ? `${ended}T10:00:00Z` : undefined,
          contractorId: random() < 0.05 ? undefined : pick(contractors),
          resumed: random() < 0.12,
          outcomeReasons: closed
            ? pick([
                ['support_completed'],
                ['resumed_relationship'],
                ['moved_in_with_perpetrator', 'other'],
                ['disengaged'],
              ])
            : [],
        });
      } else {
        Object.assign(c, {
          status: pick(['accepted', 'awaiting_consent', 'install_scheduled']),
          statusChangedAt: instantOn(eventDate),
        });
      }
      seeds.push(c);
    }
    for (const c of seeds) caseIds.push(await seedCase(t, a.id, a.idva.id, c));
    // Scheme B: the same people and dates, never counted in scheme A.
    for (const c of seeds.slice(0, 40)) {
      await seedCase(t, b.id, b.idva.id, { ...c, contractorId: b.contractorId });
    }
  }, 300_000);

  afterAll(async () => {
    await t?.close();
  });

  /** The report from the monthly totals and from the reference query, as JSON. */
  async function both(q: { from?: string; to?: string }) {
    const [mine, theirs] = await Promise.all([
      sut.targetHardening(a.id, q),
      reference.targetHardening(a.id, q),
    ]);
    return { mine: JSON.parse(JSON.stringify(mine)), theirs: JSON.parse(JSON.stringify(theirs)) };
  }

  async function expectSameAsReference(): Promise<void> {
    for (const q of RANGES) {
      const { mine, theirs } = await both(q);
      expect({ q, report: mine }).toStrictEqual({ q, report: theirs });
    }
  }

  /** The monthly totals, expanded to one row per fact group, against the same computed from cases. */
  async function expectTotalsExact(): Promise<void> {
    const fromTotals: unknown[] = await t.ds.query(`
      SELECT * FROM (
        SELECT scheme_id, month::text, by_contractor, tenure, contractor_id, 'referral' AS kind, NULL AS k, referrals AS n
        FROM target_hardening_months WHERE referrals <> 0
        UNION ALL
        SELECT scheme_id, month::text, by_contractor, tenure, contractor_id, 'installations', NULL, installations
        FROM target_hardening_months WHERE installations <> 0
        UNION ALL
        SELECT scheme_id, month::text, by_contractor, tenure, contractor_id, 'cancelled', NULL, cancelled
        FROM target_hardening_months WHERE cancelled <> 0
        UNION ALL
        SELECT scheme_id, month::text, by_contractor, tenure, contractor_id, 'days', d.key, d.value::int
        FROM target_hardening_months CROSS JOIN LATERAL jsonb_each_text(days) d
        UNION ALL
        SELECT scheme_id, month::text, by_contractor, tenure, contractor_id, 'unsuccessful', u.key, u.value::int
        FROM target_hardening_months CROSS JOIN LATERAL jsonb_each_text(unsuccessful) u
      ) x ORDER BY 1, 2, 3, 4, 5, 6, 7`);
    // Written from the report's definitions, independently of the trigger's function.
    const fromCases: unknown[] = await t.ds.query(`
      WITH installed AS (
        SELECT c.*, (c.installed_at AT TIME ZONE 'Europe/London')::date AS on_date
        FROM cases c WHERE c.installed_at IS NOT NULL
      ), facts AS (
        SELECT scheme_id, to_char(referral_date, 'YYYY-MM-01') AS month, false AS by_contractor, tenure,
               NULL::uuid AS contractor_id, 'referral' AS kind, NULL AS k
        FROM cases
        UNION ALL
        SELECT scheme_id, to_char(on_date, 'YYYY-MM-01'), false, tenure, NULL, 'installations', NULL FROM installed
        UNION ALL
        SELECT scheme_id, to_char(on_date, 'YYYY-MM-01'), true, NULL, contractor_id, 'installations', NULL FROM installed
        UNION ALL
        SELECT scheme_id, to_char(on_date, 'YYYY-MM-01'), false, tenure, NULL, 'days', (on_date - referral_date)::text
        FROM installed
        UNION ALL
        SELECT scheme_id, to_char(on_date, 'YYYY-MM-01'), true, NULL, contractor_id, 'days', (on_date - referral_date)::text
        FROM installed
        UNION ALL
        SELECT scheme_id, to_char(status_changed_at AT TIME ZONE 'Europe/London', 'YYYY-MM-01'), false, tenure, NULL,
               status, CASE WHEN status = 'unsuccessful' THEN COALESCE(outcome_reason, '') END
        FROM cases WHERE status IN ('cancelled', 'unsuccessful')
      )
      SELECT scheme_id, month, by_contractor, tenure, contractor_id, kind, k, count(*)::int AS n
      FROM facts GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`);
    expect(fromTotals).toStrictEqual(fromCases);
  }

  it('answers every range exactly as the query over the cases did', async () => {
    const { mine } = await both({ from: '2016-04-01', to: '2026-06-15' });
    // The data set exercises what it should: every tenure, several contractors (and none), every
    // unsuccessful reason, resumed relationships, and quarters with nothing in them.
    expect(mine.total.referrals).toBe(420);
    expect(mine.total.byTenure.every((x: { referrals: number }) => x.referrals > 0)).toBe(true);
    expect(mine.total.byContractor).toHaveLength(4);
    expect(mine.total.cancelled).toBeGreaterThan(0);
    for (const k of ['landlordRefusal', 'consentTimeout', 'cannotFit', 'other']) {
      expect(mine.total.unsuccessful[k]).toBeGreaterThan(0);
    }
    expect(mine.total.resumedRelationship).toBeGreaterThan(0);
    const empty = mine.quarters.filter(
      (x: { referrals: number; installations: number; cancelled: number }) =>
        x.referrals + x.installations + x.cancelled === 0,
    );
    expect(empty.map((x: { period: string }) => x.period)).toEqual(['2018-19 Q4', '2019-20 Q1']);
    await expectTotalsExact();
    await expectSameAsReference();
  });

  it('stays exact through a random sequence of changes to cases', async () => {
    const at = () => instantOn(plusDays('2016-04-01', int(0, 3727)));
    const set = (id: string, sql: string, params: unknown[] = []) =>
      t.ds.query(`UPDATE cases SET ${sql} WHERE id = $1`, [id, ...params]);
    const ops: ((id: string) => Promise<unknown>)[] = [
      // transitions, backdated
      (id) =>
        set(id, `status = 'cancelled', status_changed_at = $2, outcome_reason = $3`, [
          at(),
          pick(['withdrew', null]),
        ]),
      (id) =>
        set(id, `status = 'unsuccessful', status_changed_at = $2, outcome_reason = $3`, [
          at(),
          pick([...UNSUCCESSFUL_REASONS, 'landlord_sold_up', null]),
        ]),
      (id) => {
        const when = at();
        return set(
          id,
          `status = 'in_support', installed_at = $2, status_changed_at = $2, contractor_id = $3`,
          [when, pick([...contractors, null])],
        );
      },
      (id) =>
        set(
          id,
          `status = 'closed', support_ended_at = $2, status_changed_at = $2, outcome_reasons = $3`,
          [at(), pick([['resumed_relationship'], ['support_completed']])],
        ),
      // reopened: back from cancelled or unsuccessful to an open stage
      (id) =>
        set(id, `status = 'install_ordered', outcome_reason = NULL, status_changed_at = $2`, [
          at(),
        ]),
      // corrections of when things happened
      (id) =>
        set(id, `status_changed_at = status_changed_at - make_interval(hours => $2)`, [
          int(1, 2000),
        ]),
      (id) =>
        set(
          id,
          `installed_at = CASE WHEN installed_at IS NOT NULL THEN installed_at + make_interval(hours => $2) END`,
          [int(-900, 900)],
        ),
      (id) => set(id, `referral_date = referral_date + $2::int`, [int(-400, 400)]),
      // installation taken back (recorded in error)
      (id) => set(id, `installed_at = NULL, contractor_id = NULL, status = 'install_scheduled'`),
      // details corrected
      (id) => set(id, `tenure = $2`, [pick([...TENURES, 'caravan'])]),
      (id) => set(id, `contractor_id = $2`, [pick([...contractors, null])]),
      (id) => set(id, `outcome_reason = $2`, [pick([...UNSUCCESSFUL_REASONS, null])]),
      (id) => set(id, `resumed_relationship = NOT resumed_relationship`),
      (id) => set(id, `overdue = NOT overdue, updated_at = now()`),
      // gone
      async (id) => {
        await t.ds.query(`DELETE FROM cases WHERE id = $1`, [id]);
        caseIds.splice(caseIds.indexOf(id), 1);
      },
      // new
      async () => {
        const installedAt = at();
        caseIds.push(
          await seedCase(t, a.id, a.idva.id, {
            ref: `N${caseIds.length}-${int(0, 1e9)}`,
            person: `person-${int(0, 299)}`,
            status: 'in_support',
            referralDate: plusDays(installedAt.slice(0, 10), -int(0, 90)),
            tenure: pick(TENURES),
            installedAt,
            contractorId: pick(contractors),
            resumed: random() < 0.5,
          }),
        );
      },
      // set-based: many rows in one statement
      () =>
        t.ds.query(
          `UPDATE cases SET status_changed_at = status_changed_at + interval '1 day'
           WHERE scheme_id = $1 AND status IN ('cancelled', 'unsuccessful') AND referral_date < $2`,
          [a.id, plusDays('2016-04-01', int(0, 3727))],
        ),
      // rolled back: leaves nothing behind
      (id) =>
        t.ds
          .transaction(async (m) => {
            await m.query(`UPDATE cases SET installed_at = now(), tenure = 'other' WHERE id = $1`, [
              id,
            ]);
            throw new Error('roll back');
          })
          .catch(() => undefined),
    ];
    for (let i = 1; i <= 240; i++) {
      await pick(ops)(pick(caseIds));
      if (i % 60 === 0) await expectTotalsExact();
    }

    // Concurrent writers on the same months: every upsert lands.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.ds.transaction(async (m) => {
          await m.query(
            `UPDATE cases SET status = 'in_support', installed_at = $2, contractor_id = $3, referral_date = $4
             WHERE id = $1`,
            [caseIds[i], '2024-05-10T10:00:00Z', contractors[i % 3], '2024-04-02'],
          );
        }),
      ),
    );

    // And the workflow itself: a case referred, taken to an installation through the API and
    // cancelled, another cancelled straight away.
    const { caseId, jobId } = await toScheduled(t.http, a, { referralDate: '2026-05-02' });
    await act(t.http, a.installer.token, `/jobs/${jobId}/complete`, {
      measuresInstalled: [{ code: 'door_reinforcement', quantity: 1 }],
    });
    const other = await toScheduled(t.http, a, { referralDate: '2026-04-20' });
    await act(t.http, a.idva.token, `/cases/${other.caseId}/cancel`, { reason: 'withdrew' });
    expect(
      (
        await t.ds.query(`SELECT installed_at IS NOT NULL AS installed FROM cases WHERE id = $1`, [
          caseId,
        ])
      )[0].installed,
    ).toBe(true);

    await expectTotalsExact();
    await expectSameAsReference();
  }, 300_000);

  it('rebuilds to the same totals after a bulk load with the triggers off', async () => {
    const before = await t.ds.query(
      `SELECT * FROM target_hardening_months ORDER BY scheme_id, month, by_contractor, tenure, contractor_id`,
    );
    await t.ds.query(`ALTER TABLE cases DISABLE TRIGGER tr_cases_target_hardening_write`);
    await t.ds.query(`ALTER TABLE cases DISABLE TRIGGER tr_cases_target_hardening_update`);
    try {
      // A change the totals do not see while the triggers are off…
      await t.ds.query(
        `UPDATE cases SET tenure = 'owner_occupier' WHERE id = (SELECT id FROM cases ORDER BY id LIMIT 1)`,
      );
    } finally {
      await t.ds.query(`ALTER TABLE cases ENABLE TRIGGER tr_cases_target_hardening_write`);
      await t.ds.query(`ALTER TABLE cases ENABLE TRIGGER tr_cases_target_hardening_update`);
    }
    // …which the rebuild takes in, giving the exact totals again.
    await t.ds.query(`SELECT target_hardening_months_rebuild()`);
    await expectTotalsExact();
    await expectSameAsReference();
    expect(
      await t.ds.query(
        `SELECT * FROM target_hardening_months ORDER BY scheme_id, month, by_contractor, tenure, contractor_id`,
      ),
    ).not.toEqual(before);
  });
});
