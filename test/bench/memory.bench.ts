// Memory. Starts the BUILT product as two processes, an API (APP_ROLE=api) and a worker
// (APP_ROLE=worker), on a throwaway database with 20,000 cases, and measures:
//   1. idle RSS of each after start-up (target < 200 MB each);
//   2. a 2-minute soak of mixed load — reads, lists, creates, accepts and cancels from 8 virtual
//      users, while 3,000 consent chases fall due over the soak and are run by the worker — sampling
//      RSS every 5 s: start / end / max / growth (whole soak and its second half) per process, and
//      Redis memory before and after — this run's keys (MEMORY USAGE) and the server's used_memory
//      (INFO memory; shared with anything else using this Redis). Bounded: completed jobs are
//      trimmed (removeOnComplete: 24 h or 10,000 per queue);
//   3. errors: every response that is not the expected 2xx counts (the soak must have none).
//
//   npm run bench:memory
//   BENCH_SOAK_S=120 BENCH_VUS=8 BENCH_CHASES=3000 BENCH_SKIP_BUILD=1 npm run bench:memory
//
// A benchmark, not a test: never run by jest or CI. Needs PostgreSQL and Redis on 127.0.0.1; the
// database and Redis keys it makes are dropped at the end, also on failure or Ctrl-C.
import { randomBytes, randomUUID } from 'node:crypto';
import { encContext } from '../../src/common/crypto/field-crypto.js';
import {
  checkServices,
  BenchError,
  buildProduct,
  call,
  createWorld,
  loadNow,
  machine,
  REALISTIC_STATUS_SQL,
  redisPrefixMemory,
  redisUsedMemory,
  rssMiB,
  runBench,
  seedCases,
  setupScheme,
  sleep,
  startProduct,
  table,
  tokenHash,
  target,
} from './support.js';

const SOAK_MS = Number(process.env.BENCH_SOAK_S ?? 120) * 1000;
const VUS = Number(process.env.BENCH_VUS ?? 8);
const CASES = Number(process.env.BENCH_CASES ?? 20_000);
const CHASES = Number(process.env.BENCH_CHASES ?? 3_000);
const SAMPLE_MS = 5000;
const IDLE_SETTLE_MS = 10_000;

const MiB = (n: number) => `${n.toFixed(0)} MB`;

function newCaseBody(i: number, landlordId: string) {
  const today = new Date().toISOString().slice(0, 10);
  return {
    serviceUser: {
      name: `Soak Person ${i}`,
      dateOfBirth: `19${70 + (i % 30)}-05-1${i % 10}`,
      gender: 'female',
      phone: '07700 900000',
      safeContact: { canCall: true, canText: false, canLeaveVoicemail: false, safeTimes: 'am' },
    },
    address: { line1: `${i} Soak Road`, town: 'Coventry', postcode: 'CV1 2AB' },
    household: { adults: 1, childrenAges: [3] },
    tenure: 'council',
    landlordId,
    riskLevel: 'high',
    maracReferred: true,
    perpetratorLivesAtProperty: false,
    serviceUserConsents: true,
    referralSource: 'police',
    referralDate: today,
    characteristics: ['disabled'],
    priority: 'standard',
  };
}

async function main(): Promise<void> {
  console.log(`Memory bench — ${machine()}`);
  await checkServices(); // fail fast, before the build
  buildProduct();
  const world = await createWorld('memory', { RECONCILE_EVERY_MS: '60000' });
  const db = world.pool;
  const api = await startProduct(world, 'api');
  const worker = await startProduct(world, 'worker');
  const s = await setupScheme(api.base, 5);

  const readIds = await seedCases(world, s, {
    count: CASES,
    refPrefix: 'M',
    statusSql: REALISTIC_STATUS_SQL,
  });
  // Consent chases that fall due across the soak (real tokens: the chase email carries the link).
  const chaseCases = await seedCases(world, s, {
    count: CHASES,
    refPrefix: 'K',
    statusSql: `'awaiting_consent'`,
  });
  const approvalIds = chaseCases.map(() => randomUUID());
  const tokens = approvalIds.map(() => randomBytes(32).toString('base64url'));
  await db.query(
    `INSERT INTO approvals (id, scheme_id, case_id, kind, status, due_at, next_chase_at, token_hash, token_enc, created_by)
     SELECT t.id, $5, t.case_id, 'landlord_consent', 'pending', now(), now() + interval '1 year', t.hash, t.enc, $6
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS t(id, case_id, hash, enc)`,
    [
      approvalIds,
      chaseCases,
      tokens.map(tokenHash),
      approvalIds.map((id, i) =>
        world.crypto.encrypt(tokens[i], encContext('approvals', id, 'token')),
      ),
      s.schemeId,
      s.idvaId,
    ],
  );
  await db.query('VACUUM ANALYZE');

  // 1. Idle: both processes up, nothing to do.
  await sleep(IDLE_SETTLE_MS);
  const idle = { api: rssMiB(api.pid), worker: rssMiB(worker.pid) };
  const redisBefore = await redisUsedMemory(world.redis);
  const ourBefore = await redisPrefixMemory(world.redis, world.prefix);
  console.log(
    `idle after start-up: api ${MiB(idle.api)}, worker ${MiB(idle.worker)}; Redis used_memory ${MiB(redisBefore / 2 ** 20)} (load ${loadNow()})`,
  );

  // 2. Soak. The chases become due spread over the soak; the API's reconcile queues them delayed.
  await db.query(
    `UPDATE approvals a SET next_chase_at = now() + interval '5 seconds' + (t.ord::float / $2) * ($3::float / 1000 - 15) * interval '1 second'
     FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, ord) WHERE a.id = t.id`,
    [approvalIds, approvalIds.length, SOAK_MS],
  );
  const rec = await call(api.base, 'POST', '/ops/reconcile', s.managerToken);
  if (rec.status !== 200) throw new BenchError(`reconcile: ${rec.status}`);
  const [{ t: soakStartDb }] = (await db.query(`SELECT clock_timestamp() AS t`)).rows;

  const counts: Record<string, number> = {};
  const errors: string[] = [];
  const created: string[] = []; // referred, ready to accept
  const accepted: string[] = []; // ready to cancel
  let seq = 0;
  const expect = async (op: string, p: Promise<{ status: number; body: any }>, ok: number) => {
    const r = await p.catch((err: Error) => ({ status: 0, body: err.message }));
    counts[op] = (counts[op] ?? 0) + 1;
    if (r.status !== ok) {
      counts.errors = (counts.errors ?? 0) + 1;
      if (errors.length < 10)
        errors.push(`${op}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    }
    return r;
  };
  const t = s.idvaToken;
  const deadline = Date.now() + SOAK_MS;
  const vu = async () => {
    while (Date.now() < deadline) {
      const x = Math.random();
      if (x < 0.5) {
        const id = readIds[Math.floor(Math.random() * readIds.length)];
        await expect('read', call(api.base, 'GET', `/cases/${id}`, t), 200);
      } else if (x < 0.6) {
        await expect('list', call(api.base, 'GET', `/cases?limit=50`, t), 200);
      } else if (x < 0.75) {
        const r = await expect(
          'create',
          call(api.base, 'POST', '/cases', t, newCaseBody(++seq, s.landlordIds[seq % 5])),
          201,
        );
        if (r.status === 201) created.push(r.body.id);
      } else if (x < 0.92) {
        const id = created.shift();
        if (!id) continue;
        const r = await expect('accept', call(api.base, 'POST', `/cases/${id}/accept`, t, {}), 200);
        if (r.status === 200) accepted.push(id);
      } else {
        const id = accepted.shift();
        if (!id) continue;
        await expect(
          'cancel',
          call(api.base, 'POST', `/cases/${id}/cancel`, t, { reason: 'moved' }),
          200,
        );
      }
    }
  };
  const samples: {
    s: number;
    api: number;
    worker: number;
    redis: number;
    ours: number;
    load: string;
  }[] = [];
  const sample = async () =>
    samples.push({
      s: Math.round((Date.now() - (deadline - SOAK_MS)) / 1000),
      api: rssMiB(api.pid),
      worker: rssMiB(worker.pid),
      redis: (await redisUsedMemory(world.redis)) / 2 ** 20,
      ours: (await redisPrefixMemory(world.redis, world.prefix)).bytes / 2 ** 20,
      load: loadNow(),
    });
  await sample();
  const sampler = setInterval(() => void sample(), SAMPLE_MS);
  console.log(`soak: ${SOAK_MS / 1000} s, ${VUS} virtual users, ${CHASES} chases falling due`);
  await Promise.all(Array.from({ length: VUS }, vu));
  clearInterval(sampler);
  await sample();
  const end = samples[samples.length - 1];

  // The chases that fell due during the soak ran (the last ones may still be finishing).
  await sleep(5000);
  const [{ chased }] = (
    await db.query(
      `SELECT count(*)::int AS chased FROM approvals WHERE last_chased_at >= $1 AND id = ANY($2::uuid[])`,
      [soakStartDb, approvalIds],
    )
  ).rows;
  await sleep(IDLE_SETTLE_MS);
  const after = { api: rssMiB(api.pid), worker: rssMiB(worker.pid) };
  const redisAfter = await redisUsedMemory(world.redis);
  const ourAfter = await redisPrefixMemory(world.redis, world.prefix);

  const max = (k: 'api' | 'worker' | 'redis' | 'ours') => Math.max(...samples.map((x) => x[k]));
  // Growth over the second half of the soak: warm-up (JIT, pools, caches) is over by then, so a
  // leak shows as steady growth here while a warm-up plateau shows as ~0.
  const mid = samples[Math.floor(samples.length / 2)];
  const late = (k: 'api' | 'worker' | 'ours') => end[k] - mid[k];
  /** "No growth": RSS may wobble with GC, but must not climb over the soak's second half. */
  const GROWTH_MB = 20;
  const total = Object.entries(counts)
    .filter(([k]) => k !== 'errors')
    .reduce((a, [, n]) => a + n, 0);
  console.log(
    `\nevery ${SAMPLE_MS / 1000} s — s: api RSS MB, worker RSS MB, Redis used_memory MB, this run's keys MB, load`,
  );
  console.log(
    samples
      .map(
        (x) =>
          `${x.s}: ${x.api.toFixed(0)} ${x.worker.toFixed(0)} ${x.redis.toFixed(1)} ${x.ours.toFixed(2)} ${x.load}`,
      )
      .join(' | '),
  );
  console.log(`\nResults (${new Date().toISOString()}, load average now ${loadNow()}):\n`);
  console.log(
    table(
      [
        'process',
        'idle after start',
        'soak start',
        'soak end',
        'soak max',
        'growth (end − start)',
        'growth, 2nd half',
        'idle after soak',
        'target',
      ],
      [
        [
          'API (APP_ROLE=api)',
          MiB(idle.api),
          MiB(samples[0].api),
          MiB(end.api),
          MiB(max('api')),
          MiB(end.api - samples[0].api),
          MiB(late('api')),
          MiB(after.api),
          `idle < 200 MB: ${target(idle.api < 200, 'API idle RSS < 200 MB')}; no growth: ${target(late('api') <= GROWTH_MB, `API RSS grows ≤ ${GROWTH_MB} MB over the soak's 2nd half`)}`,
        ],
        [
          'worker (APP_ROLE=worker)',
          MiB(idle.worker),
          MiB(samples[0].worker),
          MiB(end.worker),
          MiB(max('worker')),
          MiB(end.worker - samples[0].worker),
          MiB(late('worker')),
          MiB(after.worker),
          `idle < 200 MB: ${target(idle.worker < 200, 'worker idle RSS < 200 MB')}; no growth: ${target(late('worker') <= GROWTH_MB, `worker RSS grows ≤ ${GROWTH_MB} MB over the soak's 2nd half`)}`,
        ],
        [
          `Redis, this run's keys (MEMORY USAGE, ${ourAfter.keys} keys at the end)`,
          `${(ourBefore.bytes / 2 ** 20).toFixed(2)} MB`,
          `${samples[0].ours.toFixed(2)} MB`,
          `${end.ours.toFixed(2)} MB`,
          `${max('ours').toFixed(2)} MB`,
          `${(end.ours - samples[0].ours).toFixed(2)} MB`,
          `${late('ours').toFixed(2)} MB`,
          `${(ourAfter.bytes / 2 ** 20).toFixed(2)} MB`,
          'bounded',
        ],
        [
          'Redis used_memory (whole server, shared)',
          MiB(redisBefore / 2 ** 20),
          `${samples[0].redis.toFixed(1)} MB`,
          `${end.redis.toFixed(1)} MB`,
          `${max('redis').toFixed(1)} MB`,
          `${(end.redis - samples[0].redis).toFixed(1)} MB`,
          '',
          `${(redisAfter / 2 ** 20).toFixed(1)} MB`,
          '',
        ],
      ],
    ),
  );
  console.log(
    `\nload: ${total} requests in ${SOAK_MS / 1000} s (${(total / (SOAK_MS / 1000)).toFixed(0)} req/s): ${Object.entries(
      counts,
    )
      .filter(([k]) => k !== 'errors')
      .map(([k, n]) => `${k} ${n}`)
      .join(
        ', ',
      )}; chases run during the soak: ${chased} of ${CHASES}; errors: ${counts.errors ?? 0}`,
  );
  if (errors.length) console.log(errors.join('\n'));
  console.log(
    `warn+ log lines: api ${api.warnings.length}, worker ${worker.warnings.length} (LOG_LEVEL=warn)`,
  );
  for (const w of [...api.warnings, ...worker.warnings].slice(0, 5)) console.log(w);
  if (counts.errors) throw new BenchError(`${counts.errors} requests failed during the soak`);
}

runBench(main);
