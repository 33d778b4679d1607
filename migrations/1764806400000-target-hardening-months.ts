import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Monthly totals behind the target-hardening report, kept exact by a trigger on `cases` in the same
 * transaction as every change to a case (measured in docs/bench-reports.md: over ten years the
 * report read 1.9 M index entries per request; it now reads one row per month and tenure or
 * contractor, and only the partial months at the ends of the period live from `cases`).
 *
 * One row per scheme, London calendar month and either tenure (every fact) or contractor
 * (installations only), holding the same facts the report counts from `cases`:
 * - referrals by referral date;
 * - installations by the London date of installed_at, with the histogram of days from the referral
 *   date to that date (`days`: {"40": 3, …}), so medians and the p90 stay exact;
 * - cases now cancelled, and now unsuccessful by outcome_reason (`unsuccessful`: {"landlord_refusal":
 *   2, …}; no reason is ""), by the London date of status_changed_at.
 * The people who resumed the relationship are counted by distinct person over the whole period, so
 * they are read live (a small partial index) rather than summed here.
 *
 * The trigger works from the row alone (target_hardening_facts: the facts a case row contributes),
 * takes the old row's facts away and adds the new row's, so every path that writes `cases` —
 * transitions, backdated or corrected occurredAt, reopen/resume, tenure corrections, deletion —
 * keeps the totals exact without the workflow knowing about them. Upserts are applied in key order.
 */
export class TargetHardeningMonths1764806400000 implements MigrationInterface {
  name = 'TargetHardeningMonths1764806400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE target_hardening_months (
        scheme_id uuid NOT NULL REFERENCES schemes(id),
        month date NOT NULL,
        by_contractor boolean NOT NULL,
        tenure text,
        contractor_id uuid,
        referrals integer NOT NULL DEFAULT 0,
        installations integer NOT NULL DEFAULT 0,
        cancelled integer NOT NULL DEFAULT 0,
        unsuccessful jsonb NOT NULL DEFAULT '{}',
        days jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT ux_target_hardening_months UNIQUE NULLS NOT DISTINCT (scheme_id, month, by_contractor, tenure, contractor_id)
      );

      -- The facts one case row contributes (the report's rules: UK calendar dates, the event's
      -- occurredAt as stored on the case).
      CREATE FUNCTION target_hardening_facts(
        p_scheme_id uuid, p_referral_date date, p_tenure text, p_installed_at timestamptz, p_contractor_id uuid,
        p_status text, p_status_changed_at timestamptz, p_outcome_reason text)
      RETURNS TABLE (scheme_id uuid, month date, by_contractor boolean, tenure text, contractor_id uuid,
                     referrals integer, installations integer, cancelled integer, unsuccessful integer,
                     reason text, days integer)
      LANGUAGE sql STABLE AS $fn$
        SELECT p_scheme_id, date_trunc('month', p_referral_date::timestamp)::date, false, p_tenure, NULL::uuid,
               1, 0, 0, 0, NULL::text, NULL::integer
        UNION ALL
        SELECT p_scheme_id, date_trunc('month', i.on_date::timestamp)::date, b.by_contractor,
               CASE WHEN b.by_contractor THEN NULL ELSE p_tenure END,
               CASE WHEN b.by_contractor THEN p_contractor_id END,
               0, 1, 0, 0, NULL, i.on_date - p_referral_date
        FROM (SELECT (p_installed_at AT TIME ZONE 'Europe/London')::date AS on_date) i
        CROSS JOIN (VALUES (false), (true)) b(by_contractor)
        WHERE p_installed_at IS NOT NULL
        UNION ALL
        SELECT p_scheme_id, date_trunc('month', (p_status_changed_at AT TIME ZONE 'Europe/London')::date::timestamp)::date,
               false, p_tenure, NULL,
               0, 0, (p_status = 'cancelled')::integer, (p_status = 'unsuccessful')::integer,
               CASE WHEN p_status = 'unsuccessful' THEN COALESCE(p_outcome_reason, '') END, NULL
        WHERE p_status IN ('cancelled', 'unsuccessful')
      $fn$;

      -- Adds two {key: count} histograms, dropping keys that come to zero.
      CREATE FUNCTION target_hardening_add(a jsonb, b jsonb) RETURNS jsonb
      LANGUAGE sql IMMUTABLE AS $fn$
        SELECT COALESCE(jsonb_object_agg(s.k, s.n) FILTER (WHERE s.n <> 0), '{}'::jsonb)
        FROM (
          SELECT e.k, sum(e.v::integer) AS n
          FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) e(k, v)
          GROUP BY e.k
        ) s
      $fn$;

      CREATE FUNCTION target_hardening_months_sync() RETURNS trigger
      LANGUAGE plpgsql AS $fn$
      BEGIN
        INSERT INTO target_hardening_months AS t
          (scheme_id, month, by_contractor, tenure, contractor_id, referrals, installations, cancelled, unsuccessful, days)
        SELECT d.scheme_id, d.month, d.by_contractor, d.tenure, d.contractor_id,
               sum(d.referrals), sum(d.installations), sum(d.cancelled),
               COALESCE(jsonb_object_agg(d.reason, d.unsuccessful) FILTER (WHERE d.reason IS NOT NULL AND d.unsuccessful <> 0), '{}'),
               COALESCE(jsonb_object_agg(d.days, d.installations) FILTER (WHERE d.days IS NOT NULL AND d.installations <> 0), '{}')
        FROM (
          -- The old row's facts taken away, the new row's added: what did not change nets to zero.
          SELECT f.scheme_id, f.month, f.by_contractor, f.tenure, f.contractor_id, f.reason, f.days,
                 sum(f.sign * f.referrals) AS referrals, sum(f.sign * f.installations) AS installations,
                 sum(f.sign * f.cancelled) AS cancelled, sum(f.sign * f.unsuccessful) AS unsuccessful
          FROM (
            SELECT -1 AS sign, o.* FROM target_hardening_facts(OLD.scheme_id, OLD.referral_date, OLD.tenure,
              OLD.installed_at, OLD.contractor_id, OLD.status, OLD.status_changed_at, OLD.outcome_reason) o
            WHERE TG_OP <> 'INSERT'
            UNION ALL
            SELECT 1, n.* FROM target_hardening_facts(NEW.scheme_id, NEW.referral_date, NEW.tenure,
              NEW.installed_at, NEW.contractor_id, NEW.status, NEW.status_changed_at, NEW.outcome_reason) n
            WHERE TG_OP <> 'DELETE'
          ) f
          GROUP BY 1, 2, 3, 4, 5, 6, 7
        ) d
        GROUP BY 1, 2, 3, 4, 5
        HAVING bool_or(d.referrals <> 0 OR d.installations <> 0 OR d.cancelled <> 0 OR d.unsuccessful <> 0)
        -- One order for every writer, so two transactions never wait on each other's rows crosswise.
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ON CONSTRAINT ux_target_hardening_months DO UPDATE SET
          referrals = t.referrals + EXCLUDED.referrals,
          installations = t.installations + EXCLUDED.installations,
          cancelled = t.cancelled + EXCLUDED.cancelled,
          unsuccessful = target_hardening_add(t.unsuccessful, EXCLUDED.unsuccessful),
          days = target_hardening_add(t.days, EXCLUDED.days);
        RETURN NULL;
      END
      $fn$;

      CREATE TRIGGER tr_cases_target_hardening_write AFTER INSERT OR DELETE ON cases
        FOR EACH ROW EXECUTE FUNCTION target_hardening_months_sync();
      -- Only changes that can move a fact: a status change matters only to or from cancelled or
      -- unsuccessful (every transition moves status_changed_at).
      CREATE TRIGGER tr_cases_target_hardening_update AFTER UPDATE ON cases
        FOR EACH ROW
        WHEN (OLD.scheme_id IS DISTINCT FROM NEW.scheme_id
           OR OLD.referral_date IS DISTINCT FROM NEW.referral_date
           OR OLD.tenure IS DISTINCT FROM NEW.tenure
           OR OLD.installed_at IS DISTINCT FROM NEW.installed_at
           OR OLD.contractor_id IS DISTINCT FROM NEW.contractor_id
           OR ((OLD.status IN ('cancelled', 'unsuccessful') OR NEW.status IN ('cancelled', 'unsuccessful'))
               AND (OLD.status, OLD.status_changed_at, OLD.outcome_reason)
                   IS DISTINCT FROM (NEW.status, NEW.status_changed_at, NEW.outcome_reason)))
        EXECUTE FUNCTION target_hardening_months_sync();
    `);
    // The whole table from `cases`: the back-fill below, and for bulk loads that ran with the
    // triggers disabled (benchmark seeding, a data import), which must call it afterwards.
    await q.query(`
      CREATE FUNCTION target_hardening_months_rebuild() RETURNS void
      LANGUAGE sql AS $fn$
        DELETE FROM target_hardening_months;
        INSERT INTO target_hardening_months
          (scheme_id, month, by_contractor, tenure, contractor_id, referrals, installations, cancelled, unsuccessful, days)
        SELECT d.scheme_id, d.month, d.by_contractor, d.tenure, d.contractor_id,
               sum(d.referrals), sum(d.installations), sum(d.cancelled),
               COALESCE(jsonb_object_agg(d.reason, d.unsuccessful) FILTER (WHERE d.reason IS NOT NULL), '{}'),
               COALESCE(jsonb_object_agg(d.days, d.installations) FILTER (WHERE d.days IS NOT NULL), '{}')
        FROM (
          SELECT f.scheme_id, f.month, f.by_contractor, f.tenure, f.contractor_id, f.reason, f.days,
                 sum(f.referrals) AS referrals, sum(f.installations) AS installations,
                 sum(f.cancelled) AS cancelled, sum(f.unsuccessful) AS unsuccessful
          FROM cases c
          CROSS JOIN LATERAL target_hardening_facts(c.scheme_id, c.referral_date, c.tenure, c.installed_at,
            c.contractor_id, c.status, c.status_changed_at, c.outcome_reason) f
          GROUP BY 1, 2, 3, 4, 5, 6, 7
        ) d
        GROUP BY 1, 2, 3, 4, 5;
      $fn$;
    `);
    // Back-fill after the triggers exist: creating them locked out writers to cases until this
    // migration commits, so no change falls between the two.
    await q.query(`SELECT target_hardening_months_rebuild()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER tr_cases_target_hardening_update ON cases;
      DROP TRIGGER tr_cases_target_hardening_write ON cases;
      DROP FUNCTION target_hardening_months_rebuild();
      DROP FUNCTION target_hardening_months_sync();
      DROP FUNCTION target_hardening_add(jsonb, jsonb);
      DROP FUNCTION target_hardening_facts(uuid, date, text, timestamptz, uuid, text, timestamptz, text);
      DROP TABLE target_hardening_months;
    `);
  }
}
