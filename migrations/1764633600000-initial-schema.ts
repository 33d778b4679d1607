import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole first schema. Personal data lives only in the `*_enc` columns (AES-256-GCM, encrypted by
 * the application); everything reports count is plain, non-identifying data.
 */
export class InitialSchema1764633600000 implements MigrationInterface {
  name = 'InitialSchema1764633600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE schemes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        local_authority text NOT NULL,
        settings jsonb NOT NULL,
        case_seq integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE contractors (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scheme_id uuid NOT NULL REFERENCES schemes(id),
        name text NOT NULL,
        email text NOT NULL,
        phone text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_contractors_scheme ON contractors (scheme_id, name);

      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin','scheme_manager','idva','installer')),
        password_hash text NOT NULL,
        scheme_id uuid REFERENCES schemes(id),
        contractor_id uuid REFERENCES contractors(id),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (role = 'admin' OR scheme_id IS NOT NULL),
        CHECK ((role = 'installer') = (contractor_id IS NOT NULL))
      );
      CREATE UNIQUE INDEX ux_users_email ON users (lower(email));
      CREATE INDEX ix_users_scheme_role ON users (scheme_id, role);

      CREATE TABLE landlords (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scheme_id uuid NOT NULL REFERENCES schemes(id),
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('council','housing_association','private')),
        email text NOT NULL,
        phone text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_landlords_scheme ON landlords (scheme_id, name);

      CREATE TABLE cases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scheme_id uuid NOT NULL REFERENCES schemes(id),
        reference text NOT NULL,
        status text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        priority text NOT NULL,
        tenure text NOT NULL,
        landlord_id uuid REFERENCES landlords(id),
        risk_level text NOT NULL,
        marac_referred boolean NOT NULL,
        referral_source text NOT NULL,
        referral_date date NOT NULL,
        gender text NOT NULL,
        age_at_referral integer NOT NULL,
        characteristics text[] NOT NULL DEFAULT '{}',
        household_adults integer NOT NULL,
        household_children integer NOT NULL,
        person_hash text NOT NULL,
        postcode_hash text NOT NULL,
        personal_enc text NOT NULL,
        restricted boolean NOT NULL DEFAULT false,
        restricted_to uuid[] NOT NULL DEFAULT '{}',
        assigned_to uuid REFERENCES users(id),
        created_by uuid NOT NULL REFERENCES users(id),
        status_changed_at timestamptz NOT NULL,
        last_event_at timestamptz NOT NULL,
        measures jsonb,
        estimated_cost numeric(12,2),
        emergency_route boolean NOT NULL DEFAULT false,
        contractor_id uuid REFERENCES contractors(id),
        installed_at timestamptz,
        support_ended_at timestamptz,
        outcome_reason text,
        outcome_reasons text[] NOT NULL DEFAULT '{}',
        exit_kind text,
        support_types text[] NOT NULL DEFAULT '{}',
        resumed_relationship boolean NOT NULL DEFAULT false,
        overdue boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ux_cases_reference UNIQUE (scheme_id, reference)
      );
      CREATE INDEX ix_cases_scheme_status ON cases (scheme_id, status);
      CREATE INDEX ix_cases_scheme_created ON cases (scheme_id, created_at DESC, id DESC);
      CREATE INDEX ix_cases_scheme_referral ON cases (scheme_id, referral_date);
      CREATE INDEX ix_cases_scheme_installed ON cases (scheme_id, installed_at) WHERE installed_at IS NOT NULL;
      CREATE INDEX ix_cases_postcode ON cases (scheme_id, postcode_hash);

      CREATE TABLE case_events (
        id bigserial PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES cases(id),
        scheme_id uuid NOT NULL,
        type text NOT NULL,
        from_status text,
        to_status text,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        actor_id uuid,
        data jsonb NOT NULL DEFAULT '{}',
        note_enc text
      );
      CREATE INDEX ix_case_events_case ON case_events (case_id, occurred_at, id);
      CREATE INDEX ix_case_events_scheme_type ON case_events (scheme_id, type, occurred_at);

      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        scheme_id uuid,
        actor_id uuid,
        action text NOT NULL,
        entity text NOT NULL,
        entity_id uuid,
        at timestamptz NOT NULL DEFAULT now(),
        data jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX ix_audit_entity ON audit_log (entity, entity_id, id);

      CREATE TABLE approvals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scheme_id uuid NOT NULL REFERENCES schemes(id),
        case_id uuid NOT NULL REFERENCES cases(id),
        kind text NOT NULL CHECK (kind IN ('landlord_consent','cost','survey')),
        status text NOT NULL DEFAULT 'pending',
        version integer NOT NULL DEFAULT 1,
        retrospective boolean NOT NULL DEFAULT false,
        amount numeric(12,2),
        due_at timestamptz NOT NULL,
        next_chase_at timestamptz,
        chase_count integer NOT NULL DEFAULT 0,
        last_chased_at timestamptz,
        escalated_at timestamptz,
        token_hash text,
        token_enc text,
        token_expires_at timestamptz,
        token_used_at timestamptz,
        decided_at timestamptz,
        decided_by uuid,
        respondent_enc text,
        reason_enc text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX ux_approvals_token ON approvals (token_hash) WHERE token_hash IS NOT NULL;
      CREATE INDEX ix_approvals_case ON approvals (case_id);
      CREATE INDEX ix_approvals_scheme_status ON approvals (scheme_id, status, created_at DESC);
      CREATE INDEX ix_approvals_due ON approvals (next_chase_at) WHERE status = 'pending' AND next_chase_at IS NOT NULL;

      CREATE TABLE jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scheme_id uuid NOT NULL REFERENCES schemes(id),
        case_id uuid NOT NULL REFERENCES cases(id),
        contractor_id uuid NOT NULL REFERENCES contractors(id),
        status text NOT NULL DEFAULT 'offered',
        version integer NOT NULL DEFAULT 1,
        priority text NOT NULL,
        emergency boolean NOT NULL DEFAULT false,
        confirm_by timestamptz NOT NULL,
        scheduled_for timestamptz,
        next_chase_at timestamptz,
        chase_count integer NOT NULL DEFAULT 0,
        last_chased_at timestamptz,
        escalated_at timestamptz,
        measures jsonb NOT NULL DEFAULT '[]',
        measures_installed jsonb,
        completed_at timestamptz,
        outcome_reason text,
        notes_enc text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_jobs_case ON jobs (case_id);
      CREATE INDEX ix_jobs_contractor ON jobs (contractor_id, created_at DESC);
      CREATE INDEX ix_jobs_scheme ON jobs (scheme_id, created_at DESC);
      CREATE INDEX ix_jobs_due ON jobs (next_chase_at) WHERE status IN ('offered','accepted') AND next_chase_at IS NOT NULL;

      CREATE TABLE reviews (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scheme_id uuid NOT NULL,
        case_id uuid NOT NULL REFERENCES cases(id),
        occurred_at timestamptz NOT NULL,
        feels_safer integer NOT NULL,
        incidents_since_install integer NOT NULL,
        resumed_relationship boolean NOT NULL,
        note_enc text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_reviews_case ON reviews (case_id);

      CREATE TABLE review_schedules (
        case_id uuid NOT NULL REFERENCES cases(id),
        offset_days integer NOT NULL,
        scheme_id uuid NOT NULL,
        due_at timestamptz NOT NULL,
        next_action_at timestamptz,
        reminded_at timestamptz,
        chased_at timestamptz,
        done_at timestamptz,
        PRIMARY KEY (case_id, offset_days)
      );
      CREATE INDEX ix_review_schedules_due ON review_schedules (next_action_at) WHERE next_action_at IS NOT NULL;

      CREATE TABLE tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scheme_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id),
        kind text NOT NULL,
        case_id uuid,
        approval_id uuid,
        job_id uuid,
        due_at timestamptz,
        dedupe_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        done_at timestamptz,
        CONSTRAINT ux_tasks_dedupe UNIQUE (user_id, dedupe_key)
      );
      CREATE INDEX ix_tasks_open ON tasks (user_id, created_at) WHERE done_at IS NULL;

      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scheme_id uuid,
        kind text NOT NULL,
        case_id uuid,
        recipient_enc text NOT NULL,
        subject text NOT NULL,
        body_enc text NOT NULL,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','failed','not_sent')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        dedupe_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      );

      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        queue text NOT NULL,
        name text NOT NULL,
        job_id text NOT NULL,
        payload jsonb NOT NULL,
        run_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        relayed_at timestamptz
      );
      CREATE INDEX ix_outbox_pending ON outbox (id) WHERE relayed_at IS NULL;

      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL,
        key text NOT NULL,
        scope text NOT NULL,
        request_hash text NOT NULL,
        status_code integer,
        resource_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, scope, key)
      );

      CREATE TABLE length_of_stay (
        case_id uuid PRIMARY KEY REFERENCES cases(id),
        scheme_id uuid NOT NULL,
        installed_at timestamptz NOT NULL,
        ended_at timestamptz,
        months integer NOT NULL,
        still_in_support boolean NOT NULL,
        measured_on date NOT NULL,
        case_version integer NOT NULL
      );
      CREATE INDEX ix_los_scheme ON length_of_stay (scheme_id, installed_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE length_of_stay, idempotency_keys, outbox, notifications, tasks, review_schedules,
        reviews, jobs, approvals, audit_log, case_events, cases, landlords, users, contractors, schemes;
    `);
  }
}
