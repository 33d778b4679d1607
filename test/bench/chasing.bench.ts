// Chasing at scale. Seeds a throwaway database with 1,000,000 cases (statuses like a live scheme's,
// one timeline event each, ~600k landlord-consent approvals) of which 10,000 have a pending consent
// that is overdue, then:
//   1. EXPLAIN (ANALYZE, BUFFERS) of the reconciler's overdue-approvals query: must use an index and
//      take < 100 ms;
//   2. starts the BUILT product as a worker (APP_ROLE=worker, real clock): its start-up reconcile
//      queues every overdue chase; measures until all 10,000 are chased (approvals.last_chased_at),
//      and until the side work (outbox → email jobs) has drained. Target ≥ 500 chases/s on 2 cores;
//   3. delayed-job lag: 1,000 more approvals become due over the next minute (4 s ahead onwards,
//      spread out so the worker is not saturated and the lag is timing, not queueing), POST
//      /ops/reconcile on an API process queues them as delayed jobs; lag = last_chased_at − due.
//
//   npm run bench:chasing
//   BENCH_CASES=1000000 BENCH_OVERDUE=10000 BENCH_LAG_SAMPLE=1000 WORKER_CONCURRENCY=5 npm run bench:chasing
//   BENCH_SKIP_BUILD=1 …   reuse dist/ as built
//
// A benchmark, not a test: never run by jest or CI. Needs PostgreSQL and Redis on 127.0.0.1; the
// database and Redis keys it makes are dropped at the end, also on failure or Ctrl-C. Emails are
// recorded, not sent (no SMTP_URL), as in a deployment without mail configured.
import { randomBytes, randomUUID } from 'node:crypto';
import { encContext } from '../../src/common/crypto/field-crypto.js';
import {
  checkServices,
  backendCpu,
  backendCpuSince,
  BenchError,
  buildProduct,
  cpuSeconds,
  call,
  createWorld,
  loadNow,
  machine,
  percentile,
  REALISTIC_STATUS_SQL,
  redisCpu,
  runBench,
  seedCases,
  setupScheme,
  sleep,
  startProduct,
  table,
  tokenHash,
  target,
} from './support.js';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const OVERDUE = Number(process.env.BENCH_OVERDUE ?? 10_000);
const LAG_SAMPLE = Number(process.env.BENCH_LAG_SAMPLE ?? 1_000);
/** The lag sample falls due over this many seconds (≈ 17 chases/s for 1,000: far below capacity). */
const LAG_WINDOW_S = Number(process.env.BENCH_LAG_WINDOW_S ?? 60);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 900) * 1000;
const CONCURRENCY = process.env.WORKER_CONCURRENCY;

/** The reconciler's query (src/queue/reconciler.service.ts), verbatim. */
const OVERDUE_SQL = `SELECT id, chase_count, next_chase_at FROM approvals WHERE status = 'pending' AND next_chase_at IS NOT NULL AND next_chase_at <= $1 ORDER BY next_chase_at, id`;

async function step<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  console.log(`  ${label.padEnd(58)} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

async function main(): Promise<void> {
  console.log(`Chasing bench — ${machine()}`);
  await checkServices(); // fail fast, before the build
  buildProduct();
  const world = await createWorld('chasing', {
    RECONCILE_EVERY_MS: '60000',
    ...(CONCURRENCY ? { WORKER_CONCURRENCY: CONCURRENCY } : {}),
  });
  const db = world.pool;
  const api = await startProduct(world, 'api');
  const s = await setupScheme(api.base, 50);

  console.log(`seeding ${CASES.toLocaleString('en-GB')} cases:`);
  const bulk = CASES - OVERDUE - LAG_SAMPLE;
  await step(`${bulk.toLocaleString('en-GB')} cases, realistic statuses`, () =>
    seedCases(world, s, {
      count: bulk,
      refPrefix: 'C',
      statusSql: REALISTIC_STATUS_SQL,
      encrypt: false,
    }),
  );
  const targets = await step(
    `${(OVERDUE + LAG_SAMPLE).toLocaleString('en-GB')} awaiting consent (real ciphertexts)`,
    () =>
      seedCases(world, s, {
        count: OVERDUE + LAG_SAMPLE,
        refPrefix: 'T',
        statusSql: `'awaiting_consent'`,
        referredSql: `now() - (20 + u.r2 * 30) * interval '1 day'`,
      }),
  );
  await step('approvals for every case past referral (bulk)', () =>
    db.query(
      `INSERT INTO approvals (scheme_id, case_id, kind, status, due_at, next_chase_at, chase_count,
         last_chased_at, token_hash, decided_at, created_by, created_at)
       SELECT scheme_id, id, 'landlord_consent',
              CASE WHEN status = 'awaiting_consent' THEN 'pending'
                   WHEN status = 'unsuccessful' THEN 'refused' ELSE 'granted' END,
              status_changed_at + interval '14 days',
              -- pending ones are chased later: their next chase is days ahead
              CASE WHEN status = 'awaiting_consent' THEN now() + (1 + random() * 10) * interval '1 day' END,
              CASE WHEN status = 'awaiting_consent' THEN floor(random() * 3)::int ELSE 0 END,
              CASE WHEN status = 'awaiting_consent' THEN now() - interval '2 days' END,
              md5(id::text),
              CASE WHEN status <> 'awaiting_consent' THEN status_changed_at + interval '7 days' END,
              created_by, status_changed_at
       FROM cases
       WHERE reference LIKE 'C-%' AND (status IN ('awaiting_consent','install_ordered','install_scheduled','in_support','closed')
             OR (status = 'unsuccessful' AND random() < 0.5))`,
    ),
  );
  // The chase targets get real tokens (the chase email carries the consent link).
  const approvalIds: string[] = [];
  await step('overdue and lag-sample approvals (real tokens)', async () => {
    const hashes: string[] = [];
    const encs: string[] = [];
    for (let i = 0; i < targets.length; i++) {
      const id = randomUUID();
      const token = randomBytes(32).toString('base64url');
      approvalIds.push(id);
      hashes.push(tokenHash(token));
      encs.push(world.crypto.encrypt(token, encContext('approvals', id, 'token')));
    }
    await db.query(
      `INSERT INTO approvals (id, scheme_id, case_id, kind, status, due_at, next_chase_at, token_hash,
         token_enc, token_expires_at, created_by, created_at)
       SELECT t.id, $5, t.case_id, 'landlord_consent', 'pending', d.due, d.due, t.hash, t.enc,
              now() + interval '30 days', $6, now() - interval '20 days'
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY AS t(id, case_id, hash, enc, ord)
       CROSS JOIN LATERAL (SELECT CASE WHEN t.ord <= $7
                                       THEN now() - (1 + random() * 240) * interval '1 hour'
                                       ELSE now() + interval '30 days' END AS due) d`,
      [approvalIds, targets, hashes, encs, s.schemeId, s.idvaId, OVERDUE],
    );
  });
  await step('one timeline event per case', () =>
    db.query(
      `INSERT INTO case_events (case_id, scheme_id, type, from_status, to_status, occurred_at, recorded_at, actor_id)
       SELECT id, scheme_id, 'referred', NULL, 'referred', created_at, created_at, created_by FROM cases`,
    ),
  );
  await step('VACUUM ANALYZE', () => db.query('VACUUM ANALYZE'));
  const [data] = (
    await db.query(
      `SELECT (SELECT count(*)::int FROM cases) AS cases,
              (SELECT count(*)::int FROM approvals) AS approvals,
              (SELECT count(*)::int FROM approvals WHERE status = 'pending') AS pending,
              (SELECT count(*)::int FROM approvals WHERE status = 'pending' AND next_chase_at <= now()) AS overdue,
              (SELECT count(*)::int FROM case_events) AS events,
              pg_size_pretty(pg_database_size(current_database())) AS size`,
    )
  ).rows;
  console.log(`data: ${JSON.stringify(data)}`);
  const statuses = (
    await db.query(`SELECT status, count(*)::int AS n FROM cases GROUP BY 1 ORDER BY 2 DESC`)
  ).rows as { status: string; n: number }[];
  console.log(`statuses: ${statuses.map((x) => `${x.status} ${x.n}`).join(', ')}`);
  if (data.overdue !== OVERDUE)
    throw new BenchError(`expected ${OVERDUE} overdue approvals, found ${data.overdue}`);

  // 1. The reconciler's query plan, with its horizon (now + 2 × RECONCILE_EVERY_MS).
  const horizon = new Date(Date.now() + 120_000);
  const plan = (await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${OVERDUE_SQL}`, [horizon])).rows.map(
    (r: Record<string, string>) => r['QUERY PLAN'],
  );
  const execMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1] ?? 'NaN');
  const index = /Index (Only )?Scan using (\w+)|Bitmap Index Scan on (\w+)/.exec(plan.join('\n'));
  console.log(`\nEXPLAIN (ANALYZE, BUFFERS) ${OVERDUE_SQL}\n  ${plan.join('\n  ')}`);

  // 2. The worker starts; its start-up reconcile queues every overdue chase.
  const [{ t: dbStart }] = (await db.query(`SELECT clock_timestamp() AS t`)).rows;
  console.log(`\nstarting the worker (load ${loadNow()})`);
  const t0 = Date.now();
  // Not awaited: the start-up reconcile runs before the process reports ready, while its
  // processors are already chasing; progress is watched from the database meanwhile.
  let workerPid = 0;
  let tStarted = 0;
  let startError: unknown = null;
  const workerReady = startProduct(world, 'worker', {
    readyTimeoutMs: TIMEOUT_MS,
    onSpawn: (pid) => (workerPid = pid),
  }).then(
    (w) => {
      tStarted = Date.now();
      console.log(
        `  worker ready (start-up reconcile done) after ${((tStarted - t0) / 1000).toFixed(1)} s`,
      );
      return w;
    },
    (err: unknown) => {
      startError = err;
      return null;
    },
  );
  // CPU is counted from the first chase seen to the last: the worker process, its PostgreSQL
  // backends and the Redis server (shared with other users of this machine: an upper bound).
  let cpuStart: {
    at: number;
    chased: number;
    node: number;
    pg: Map<number, number>;
    redis: number;
    commits: number;
  } | null = null;
  const commits = async () =>
    Number(
      (
        await db.query(
          `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`,
        )
      ).rows[0].xact_commit,
    );
  let chased = 0;
  let lastReport = Date.now();
  while (chased < OVERDUE) {
    if (startError) throw startError;
    if (Date.now() - t0 > TIMEOUT_MS)
      throw new BenchError(`only ${chased} of ${OVERDUE} chased after ${TIMEOUT_MS / 1000} s`);
    await sleep(250);
    [{ chased }] = (
      await db.query(
        `SELECT count(*)::int AS chased FROM approvals WHERE chase_count >= 1 AND last_chased_at >= $1`,
        [dbStart],
      )
    ).rows;
    if (!cpuStart && chased > 0)
      cpuStart = {
        at: Date.now(),
        chased,
        node: cpuSeconds(workerPid),
        pg: await backendCpu(db, 'sanctuary-worker'),
        redis: await redisCpu(world.redis),
        commits: await commits(),
      };
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      console.log(
        `  ${((Date.now() - t0) / 1000).toFixed(0)} s: ${chased} chased, load ${loadNow()}`,
      );
    }
  }
  const cpu = {
    node: cpuSeconds(workerPid) - cpuStart!.node,
    pg: backendCpuSince(cpuStart!.pg, await backendCpu(db, 'sanctuary-worker')),
    redis: (await redisCpu(world.redis)) - cpuStart!.redis,
    chases: chased - cpuStart!.chased,
    // Committed transactions (statistics are flushed about once a second: approximate).
    commits: (await commits()) - cpuStart!.commits,
  };
  const tChased = Date.now();
  const [win] = (
    await db.query(
      `SELECT min(last_chased_at) AS first, max(last_chased_at) AS last,
              extract(epoch FROM max(last_chased_at) - min(last_chased_at)) AS span
       FROM approvals WHERE last_chased_at >= $1`,
      [dbStart],
    )
  ).rows;
  // Side work: the next chases and the emails go through the outbox onto the queues.
  for (;;) {
    const [{ outbox, queued }] = (
      await db.query(
        `SELECT (SELECT count(*)::int FROM outbox WHERE relayed_at IS NULL) AS outbox,
                (SELECT count(*)::int FROM notifications WHERE status = 'queued') AS queued`,
      )
    ).rows;
    if (outbox === 0 && queued === 0) break;
    if (Date.now() - t0 > TIMEOUT_MS) throw new BenchError(`side work not drained in time`);
    await sleep(250);
  }
  const tDrained = Date.now();
  // Everything a chase costs, its email and next-chase job included: first chase → side work done.
  const allIn = {
    node: cpuSeconds(workerPid) - cpuStart!.node,
    pg: backendCpuSince(cpuStart!.pg, await backendCpu(db, 'sanctuary-worker')),
    redis: (await redisCpu(world.redis)) - cpuStart!.redis,
  };
  const allInTotal = allIn.node + allIn.pg + allIn.redis;
  const allInPer = (sec: number) => ((sec * 1000) / OVERDUE).toFixed(2);
  const worker = await workerReady;
  if (!worker) throw startError;
  const [effects] = (
    await db.query(
      `SELECT (SELECT count(*)::int FROM case_events WHERE type = 'approval_chased') AS events,
              (SELECT count(*)::int FROM tasks WHERE kind = 'consent_chased') AS tasks,
              (SELECT count(*)::int FROM notifications WHERE kind = 'consent_chase') AS emails,
              (SELECT count(*)::int FROM approvals WHERE last_chased_at >= $1 AND chase_count <> 1 AND id = ANY($2::uuid[])) AS twice`,
      [dbStart, approvalIds],
    )
  ).rows;
  console.log(`  effects: ${JSON.stringify(effects)}`);
  const span = Number(win.span);
  const cpuTotal = cpu.node + cpu.pg + cpu.redis;
  const perChase = (sec: number) => ((sec * 1000) / cpu.chases).toFixed(2);
  const processingRate = (OVERDUE - 1) / span;
  const wallRate = OVERDUE / ((tChased - t0) / 1000);

  // 3. Delayed-job lag: the sample becomes due over LAG_WINDOW_S from 4 s ahead; the API's reconcile
  // (horizon 2 × RECONCILE_EVERY_MS = 120 s) queues them as delayed jobs.
  const lagIds = approvalIds.slice(OVERDUE);
  await db.query(`CREATE TABLE bench_lag (id uuid PRIMARY KEY, due timestamptz NOT NULL)`);
  await db.query(
    `WITH d AS (
       SELECT t.id, clock_timestamp() + interval '4 seconds' + (t.ord::float / $2) * $3::float * interval '1 second' AS due
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, ord))
     , u AS (UPDATE approvals a SET next_chase_at = d.due FROM d WHERE a.id = d.id RETURNING a.id, d.due)
     INSERT INTO bench_lag SELECT id, due FROM u`,
    [lagIds, lagIds.length, LAG_WINDOW_S],
  );
  const r0 = Date.now();
  const rec = await call(api.base, 'POST', '/ops/reconcile', s.managerToken);
  if (rec.status !== 200)
    throw new BenchError(`reconcile: ${rec.status} ${JSON.stringify(rec.body)}`);
  console.log(
    `\nlag sample: POST /ops/reconcile took ${Date.now() - r0} ms and queued ${JSON.stringify(rec.body)}`,
  );
  const lagDeadline = Date.now() + (LAG_WINDOW_S + 60) * 1000;
  for (;;) {
    const [{ n }] = (
      await db.query(
        `SELECT count(*)::int AS n FROM bench_lag b JOIN approvals a ON a.id = b.id WHERE a.last_chased_at IS NOT NULL`,
      )
    ).rows;
    if (n === lagIds.length) break;
    if (Date.now() > lagDeadline)
      throw new BenchError(`only ${n} of ${lagIds.length} delayed chases ran in time`);
    await sleep(250);
  }
  const lags = (
    await db.query(
      `SELECT extract(epoch FROM a.last_chased_at - b.due) * 1000 AS ms FROM bench_lag b JOIN approvals a ON a.id = b.id`,
    )
  ).rows
    .map((r: { ms: string }) => Number(r.ms))
    .sort((a: number, b: number) => a - b);

  console.log(`\nResults (${new Date().toISOString()}, load average now ${loadNow()}):\n`);
  console.log(
    table(
      ['measure', 'value', 'target'],
      [
        [
          'data',
          `${data.cases.toLocaleString('en-GB')} cases, ${data.approvals.toLocaleString('en-GB')} approvals (${data.pending.toLocaleString('en-GB')} pending, ${OVERDUE.toLocaleString('en-GB')} overdue), ${data.events.toLocaleString('en-GB')} events, ${data.size}`,
          '',
        ],
        [
          'reconciler overdue query',
          `${execMs.toFixed(1)} ms, ${index ? `index ${index[2] ?? index[3]}` : 'NO INDEX (sequential scan)'}`,
          `< 100 ms with an index: ${target(execMs < 100 && !!index, 'overdue query < 100 ms with an index')}`,
        ],
        [
          'worker spawn → ready (its start-up reconcile queued the due chases)',
          `${((tStarted - t0) / 1000).toFixed(1)} s`,
          '',
        ],
        [
          `chases, first → last (${OVERDUE.toLocaleString('en-GB')})`,
          `${span.toFixed(1)} s = **${processingRate.toFixed(0)} chases/s**`,
          `≥ 500/s: ${target(processingRate >= 500, 'chases ≥ 500/s (measured)')}`,
        ],
        [
          'CPU per chase: worker / PostgreSQL / Redis',
          `${perChase(cpu.node)} / ${perChase(cpu.pg)} / ${perChase(cpu.redis)} ms = ${perChase(cpuTotal)} ms`,
          '',
        ],
        [
          'PostgreSQL transactions committed per chase (chase, email, outbox relay, polling)',
          (cpu.commits / cpu.chases).toFixed(2),
          '',
        ],
        [
          'capacity on 2 dedicated cores (2 / CPU per chase)',
          `≈ ${(2 / (cpuTotal / cpu.chases)).toFixed(0)} chases/s`,
          `≥ 500/s: ${target(2 / (cpuTotal / cpu.chases) >= 500, 'chasing capacity ≥ 500/s on 2 cores')}`,
        ],
        [
          'CPU per chase with its side work (email recorded, next chase relayed), first chase → drained: worker / PostgreSQL / Redis',
          `${allInPer(allIn.node)} / ${allInPer(allIn.pg)} / ${allInPer(allIn.redis)} ms = ${allInPer(allInTotal)} ms`,
          '',
        ],
        [
          'capacity with the side work on 2 dedicated cores',
          `≈ ${(2 / (allInTotal / OVERDUE)).toFixed(0)} chases/s`,
          `≥ 500/s: ${target(2 / (allInTotal / OVERDUE) >= 500, 'chasing capacity with side work ≥ 500/s on 2 cores')}`,
        ],
        [
          'chases and side work, first chase → drained',
          `${((tDrained - cpuStart!.at) / 1000).toFixed(1)} s = ${(OVERDUE / ((tDrained - cpuStart!.at) / 1000)).toFixed(0)} chases/s`,
          '',
        ],
        [
          'chases, worker spawn → all chased',
          `${((tChased - t0) / 1000).toFixed(1)} s = ${wallRate.toFixed(0)} chases/s`,
          '',
        ],
        [
          'side work drained (outbox relayed, emails recorded)',
          `${((tDrained - t0) / 1000).toFixed(1)} s after spawn`,
          '',
        ],
        [
          `delayed-job lag (${lags.length} delayed jobs due over ${LAG_WINDOW_S} s)`,
          `p50 ${percentile(lags, 50).toFixed(0)} ms, p99 ${percentile(lags, 99).toFixed(0)} ms, max ${lags[lags.length - 1].toFixed(0)} ms`,
          '',
        ],
      ],
    ),
  );
  console.log(
    `\nworker: APP_ROLE=worker WORKER_CONCURRENCY=${CONCURRENCY ?? '5 (default)'} DB_POOL_SIZE=10 LOG_LEVEL=warn; ${worker.warnings.length} warn+ log lines`,
  );
  if (worker.warnings.length) console.log(worker.warnings.slice(0, 5).join('\n'));
  if (effects.events < OVERDUE || effects.twice > 0)
    throw new BenchError(`chase effects are wrong: ${JSON.stringify(effects)}`);
}

runBench(main);
