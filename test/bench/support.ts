// Shared plumbing for the benchmarks (never jest, never CI): a throwaway database and Redis prefix
// per run, the built product started as child processes, clean-up that runs even on failure or
// Ctrl-C, and seeding helpers that write cases set-based with real ciphertexts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { encContext, FieldCrypto } from '../../src/common/crypto/field-crypto.js';
import type { Personal } from '../../src/cases/case-row.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PG_BASE = process.env.BENCH_PG_BASE ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password-1' };
export const PASSWORD = 'bench-password-12345';

/** A failure with a one-line explanation (no stack trace needed). */
export class BenchError extends Error {}

// ---- clean-up ----------------------------------------------------------------------------------

const cleanups: { label: string; fn: () => Promise<void> }[] = [];
let cleaning: Promise<void> | null = null;

/** Registers clean-up work; it runs in reverse order at the end, on failure and on Ctrl-C. */
export function onCleanup(label: string, fn: () => Promise<void>): void {
  cleanups.push({ label, fn });
}

export function runCleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const c = cleanups.pop()!;
      try {
        await c.fn();
      } catch (err) {
        console.error(`clean-up "${c.label}" failed: ${(err as Error).message}`);
      }
    }
  })();
  return cleaning;
}

/** Runs a benchmark's main with clean-up on every exit path and a one-line error on failure. */
const verdicts: { what: string; ok: boolean }[] = [];

/** Records a target's verdict for the final `N passed, N failed` line; returns 'met' or 'MISSED'. */
export function target(ok: boolean, what = ''): 'met' | 'MISSED' {
  verdicts.push({ what, ok });
  return ok ? 'met' : 'MISSED';
}

/** The final line of every bench: how many of its targets were met. */
export function printVerdicts(): void {
  const failed = verdicts.filter((v) => !v.ok);
  console.log(`
${verdicts.length - failed.length} passed, ${failed.length} failed`);
  for (const f of failed) console.log(`  missed: ${f.what}`);
}

export function runBench(main: () => Promise<void>): void {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: cleaning up`);
      void runCleanup().finally(() => process.exit(130));
    });
  }
  main()
    .then(() => printVerdicts())
    .then(() => runCleanup())
    .then(() => process.exit(0))
    .catch(async (err: unknown) => {
      if (interrupted) return; // the signal handler is cleaning up; what failed is its doing
      if (err instanceof BenchError) console.error(`bench failed: ${err.message}`);
      else console.error(err);
      await runCleanup();
      process.exit(1);
    });
}

// ---- services ----------------------------------------------------------------------------------

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} timed out`)), ms);
    }),
  ]);
}

/** Fails with one clear line when PostgreSQL or Redis cannot be reached. */
export async function checkServices(): Promise<void> {
  const client = new pg.Client({
    connectionString: `${PG_BASE}/postgres`,
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new BenchError(
      `PostgreSQL is not reachable at ${PG_BASE} (${(err as { code?: string }).code ?? (err as Error).message}); start it or set BENCH_PG_BASE.`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  const causes: { code?: string }[] = [];
  redis.on('error', (err: { code?: string }) => causes.push(err));
  try {
    await withTimeout(redis.connect(), 3000, 'connect');
    await redis.ping();
  } catch (err) {
    const why = causes[0]?.code ?? (err as { code?: string }).code ?? (err as Error).message;
    throw new BenchError(
      `Redis is not reachable at ${REDIS_URL} (${why}); start it or set BENCH_REDIS_URL.`,
    );
  } finally {
    redis.disconnect();
  }
}

export interface BenchWorld {
  id: string;
  dbUrl: string;
  prefix: string;
  env: Record<string, string>;
  dataKeys: string;
  crypto: FieldCrypto;
  pool: pg.Pool;
  redis: Redis;
}

/**
 * A throwaway database and Redis prefix with fresh secrets; both are dropped by the clean-up.
 * `pool` is the bench's own connection pool (seeding, polling), not the product's.
 */
export async function createWorld(name: string, extraEnv: Record<string, string> = {}) {
  await checkServices();
  const id = `${name}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const dbUrl = `${PG_BASE}/sanctuary_bench_${id}`;
  const prefix = `sanctuary-bench-${id}`;
  const key = randomBytes(32).toString('base64');
  const dataKeys = `b1:${key}`;
  const hashKey = randomBytes(32).toString('hex');
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: dbUrl,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATA_KEYS: dataKeys,
    HASH_KEY: hashKey,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    LOGIN_MAX_PER_ADDRESS: '1000',
    // Tokens from the set-up are used to the end of a long run (seeding 1M cases takes minutes).
    ACCESS_TOKEN_TTL_SECONDS: '7200',
    PUBLIC_BASE_URL: 'http://127.0.0.1',
    ...extraEnv,
  };
  const admin = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "sanctuary_bench_${id}"`);
  } finally {
    await admin.end();
  }
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const pool = new pg.Pool({ connectionString: dbUrl, max: 4 });
  pool.on('error', () => undefined);
  onCleanup('drop database and Redis keys', async () => {
    await pool.end().catch(() => undefined);
    const c = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS "sanctuary_bench_${id}" WITH (FORCE)`);
    } finally {
      await c.end();
    }
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  const [kid, b64] = dataKeys.split(':');
  const crypto = new FieldCrypto(
    [{ id: kid, key: Buffer.from(b64, 'base64') }],
    Buffer.from(hashKey, 'utf8'),
  );
  return { id, dbUrl, prefix, env, dataKeys, crypto, pool, redis } satisfies BenchWorld;
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) n += await redis.del(...keys);
  } while (cursor !== '0');
  return n;
}

/** Builds the product (decorator metadata needs tsc, not tsx). BENCH_SKIP_BUILD=1 skips it. */
export function buildProduct(): void {
  if (process.env.BENCH_SKIP_BUILD === '1' && existsSync(`${ROOT}/dist/src/main.js`)) return;
  const t0 = Date.now();
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new BenchError('npm run build failed');
  console.log(`built the product in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

// ---- the product as child processes ------------------------------------------------------------

export interface Product {
  role: 'api' | 'worker' | 'all';
  child: ChildProcess;
  pid: number;
  base: string;
  port: number;
  /** Lines the process wrote at warn level or above (LOG_LEVEL=warn), for the report. */
  warnings: string[];
  stop(): Promise<void>;
}

let nextPort = 39000 + Math.floor(Math.random() * 2000);

export interface StartOptions {
  env?: Record<string, string>;
  /** Extra node flags; BENCH_NODE_ARGS too (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
  /** Called as soon as the process exists (before it is ready). */
  onSpawn?: (pid: number) => void;
}

/** Starts `node dist/src/main.js` with the world's env; resolves once it serves or works. */
export async function startProduct(
  world: BenchWorld,
  role: 'api' | 'worker' | 'all',
  opts: StartOptions = {},
): Promise<Product> {
  const port = nextPort++;
  const nodeArgs = [
    ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ...(opts.nodeArgs ?? []),
  ];
  const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;
  const child = spawn(process.execPath, [...nodeArgs, 'dist/src/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ...world.env,
      APP_ROLE: role,
      PORT: String(port),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid) opts.onSpawn?.(child.pid);
  const warnings: string[] = [];
  let output = '';
  let exited: number | null = null;
  const onData = (buf: Buffer) => {
    const text = buf.toString('utf8');
    output = (output + text).slice(-8000);
    for (const line of text.split('\n')) {
      if (line.startsWith('{') && warnings.length < 200) warnings.push(line);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exitPromise = new Promise<number>((res) =>
    child.once('exit', (code, signal) => {
      exited = code ?? (signal ? 128 : 1);
      res(exited);
    }),
  );
  const stop = async () => {
    if (exited !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exitPromise;
    clearTimeout(t);
  };
  onCleanup(`stop ${role} (pid ${child.pid})`, stop);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited !== null)
      throw new BenchError(`the ${role} process exited (${exited}) while starting:\n${output}`);
    if (Date.now() > deadline)
      throw new BenchError(
        `the ${role} process was not ready in ${readyTimeoutMs / 1000} s:\n${output}`,
      );
    if (role === 'worker') {
      if (output.includes('Sanctuary worker running')) break;
    } else {
      const ok = await fetch(`${base}/health/ready`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
    }
    await sleep(200);
  }
  return { role, child, pid: child.pid!, base, port, warnings, stop };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- HTTP helpers ------------------------------------------------------------------------------

export async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}

async function must(
  p: Promise<{ status: number; body: any }>,
  status: number,
  what: string,
): Promise<any> {
  const r = await p;
  if (r.status !== status)
    throw new BenchError(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function login(base: string, email: string, password: string): Promise<string> {
  const body = await must(
    call(base, 'POST', '/auth/login', undefined, { email, password }),
    200,
    'login',
  );
  return body.accessToken as string;
}

export interface SchemeSetup {
  schemeId: string;
  managerId: string;
  managerToken: string;
  idvaId: string;
  idvaToken: string;
  landlordIds: string[];
  adminToken: string;
}

/** A scheme with a manager, an IDVA and landlords, made through the product's own API. */
export async function setupScheme(base: string, landlords = 5): Promise<SchemeSetup> {
  const adminToken = await login(base, ADMIN.email, ADMIN.password);
  const scheme = await must(
    call(base, 'POST', '/schemes', adminToken, { name: 'Bench', localAuthority: 'Bench Council' }),
    201,
    'create scheme',
  );
  const manager = await must(
    call(base, 'POST', '/users', adminToken, {
      email: 'manager@bench.local',
      name: 'Bench Manager',
      role: 'scheme_manager',
      password: PASSWORD,
      schemeId: scheme.id,
    }),
    201,
    'create manager',
  );
  const managerToken = await login(base, 'manager@bench.local', PASSWORD);
  const idva = await must(
    call(base, 'POST', '/users', managerToken, {
      email: 'idva@bench.local',
      name: 'Bench Idva',
      role: 'idva',
      password: PASSWORD,
    }),
    201,
    'create idva',
  );
  const idvaToken = await login(base, 'idva@bench.local', PASSWORD);
  const landlordIds: string[] = [];
  for (let i = 0; i < landlords; i++) {
    const l = await must(
      call(base, 'POST', '/landlords', idvaToken, {
        name: `Landlord ${i}`,
        kind: i % 3 === 0 ? 'council' : i % 3 === 1 ? 'housing_association' : 'private',
        email: `landlord${i}@bench.test`,
        phone: '024 7600 0000',
      }),
      201,
      'create landlord',
    );
    landlordIds.push(l.id);
  }
  return {
    schemeId: scheme.id,
    managerId: manager.id,
    managerToken,
    idvaId: idva.id,
    idvaToken,
    landlordIds,
    adminToken,
  };
}

// ---- seeding -----------------------------------------------------------------------------------

export function personalOf(i: number): Personal {
  return {
    serviceUser: {
      name: `Service User ${i}`,
      dateOfBirth: `19${60 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`,
      phone: `07700 9${String(i % 100000).padStart(5, '0')}`,
      safeContact: {
        canCall: i % 2 === 0,
        canText: true,
        canLeaveVoicemail: false,
        safeTimes: 'weekdays 10-12',
        codeWord: 'bluebell',
      },
    },
    address: {
      line1: `${1 + (i % 300)} Bench Street`,
      town: 'Coventry',
      postcode: `CV${1 + (i % 9)} ${i % 10}AB`,
    },
    childrenAges: i % 3 === 0 ? [4, 9] : [],
  };
}

/**
 * Inserts cases set-based. With `encrypt` (the default) ids and per-case ciphertexts are made in
 * Node and sent in batches (unnest); without, ids come from gen_random_uuid() and `personal_enc` is
 * a placeholder — for bulk rows no benchmark decrypts. Everything else is SQL: `statusSql` is an
 * expression over `r` (a random() per row). Returns the ids made in Node (none without encrypt).
 */
/**
 * Runs a bulk load of `cases` with the row trigger that keeps `target_hardening_months` disabled
 * (a million row-by-row upserts would take many minutes), then rebuilds that table from `cases` in
 * one set-based statement, as the migration's back-fill does.
 */
export async function withTotalsRebuilt<T>(
  run: (sql: string) => Promise<unknown>,
  fn: () => Promise<T>,
): Promise<T> {
  const triggers = ['tr_cases_target_hardening_write', 'tr_cases_target_hardening_update'];
  for (const tr of triggers) await run(`ALTER TABLE cases DISABLE TRIGGER ${tr}`);
  try {
    return await fn();
  } finally {
    for (const tr of triggers) await run(`ALTER TABLE cases ENABLE TRIGGER ${tr}`);
    await run(`SELECT target_hardening_months_rebuild()`);
  }
}

export async function seedCases(
  world: BenchWorld,
  s: SchemeSetup,
  opts: {
    count: number;
    refPrefix: string;
    statusSql: string;
    encrypt?: boolean;
    batch?: number;
    /** When the case was referred (the default places it 30-400 days ago). */
    referredSql?: string;
  },
): Promise<string[]> {
  return withTotalsRebuilt(
    (sql) => world.pool.query(sql),
    () => insertCases(world, s, opts),
  );
}

async function insertCases(
  world: BenchWorld,
  s: SchemeSetup,
  opts: Parameters<typeof seedCases>[2],
): Promise<string[]> {
  const encrypt = opts.encrypt !== false;
  const batch = opts.batch ?? (encrypt ? 10_000 : 250_000);
  const all: string[] = [];
  for (let from = 0; from < opts.count; from += batch) {
    const n = Math.min(batch, opts.count - from);
    const ids: string[] = [];
    const encs: string[] = [];
    for (let k = 0; encrypt && k < n; k++) {
      const id = randomUUID();
      ids.push(id);
      encs.push(
        world.crypto.encryptJson(personalOf(from + k), encContext('cases', id, 'personal')),
      );
    }
    const source = encrypt
      ? `unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS t(id, enc, ord)`
      : `(SELECT gen_random_uuid() AS id, $2::text AS enc, g::bigint AS ord FROM generate_series(1, $1::int) g) t`;
    await world.pool.query(
      `
      INSERT INTO cases (id, scheme_id, reference, status, priority, tenure, landlord_id, risk_level,
        marac_referred, referral_source, referral_date, gender, age_at_referral, characteristics,
        household_adults, household_children, person_hash, postcode_hash, personal_enc, assigned_to,
        created_by, status_changed_at, last_event_at, created_at, updated_at)
      SELECT x.id, $3, $4 || '-' || ($5 + x.ord), x.status,
             CASE WHEN x.r2 < 0.1 THEN 'emergency' ELSE 'standard' END,
             CASE WHEN x.r2 < 0.35 THEN 'council' WHEN x.r2 < 0.65 THEN 'housing_association' ELSE 'private_rented' END,
             ($6::uuid[])[1 + (x.ord % array_length($6::uuid[], 1))::int],
             (ARRAY['standard','medium','high'])[1 + floor(x.r2 * 3)::int], x.r2 < 0.2,
             (ARRAY['idva','police','housing','social_care','health','self','other'])[1 + floor(x.r * 7)::int],
             (x.referred_at AT TIME ZONE 'Europe/London')::date,
             CASE WHEN x.r2 < 0.85 THEN 'female' WHEN x.r2 < 0.94 THEN 'male' ELSE 'not_known' END,
             18 + floor(x.r * 60)::int,
             CASE WHEN x.r < 0.2 THEN ARRAY['mental_health'] ELSE '{}' END,
             1, floor(x.r2 * 3)::int, md5(x.id::text), md5(x.ord::text), x.enc, $7, $7,
             x.referred_at, x.referred_at, x.referred_at, x.referred_at
      FROM (
        SELECT u.id, u.enc, u.ord, u.r, u.r2, ${opts.statusSql} AS status,
               ${opts.referredSql ?? `now() - (30 + u.r2 * 370) * interval '1 day'`} AS referred_at
        FROM (SELECT id, enc, ord, random() AS r, random() AS r2 FROM ${source}) u
      ) x
      `,
      [
        encrypt ? ids : n,
        encrypt ? encs : 'v1:placeholder',
        s.schemeId,
        opts.refPrefix,
        from,
        s.landlordIds,
        s.idvaId,
      ],
    );
    all.push(...ids);
  }
  return all;
}

/** A mix of statuses like a live scheme's (most cases finished, a fifth in the pipeline). */
export const REALISTIC_STATUS_SQL = `CASE
  WHEN r < 0.08 THEN 'declined' WHEN r < 0.16 THEN 'cancelled' WHEN r < 0.22 THEN 'unsuccessful'
  WHEN r < 0.55 THEN 'closed' WHEN r < 0.78 THEN 'in_support'
  ELSE (ARRAY['referred','accepted','survey_booked','surveyed','awaiting_consent','install_ordered','install_scheduled'])[1 + floor((r - 0.78) / 0.22 * 7)::int]
END`;

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

// ---- measuring ---------------------------------------------------------------------------------

/** CPU seconds (user + system) a process has used so far (Linux /proc; USER_HZ = 100). */
export function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0; // gone
  }
}

/**
 * CPU seconds used so far by the PostgreSQL backends serving this database (optionally only
 * connections with this application_name), per backend pid.
 */
export async function backendCpu(
  pool: pg.Pool,
  applicationName?: string,
): Promise<Map<number, number>> {
  const { rows } = await pool.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
       AND ($1::text IS NULL OR application_name = $1)`,
    [applicationName ?? null],
  );
  return new Map(rows.map((r: { pid: number }) => [r.pid, cpuSeconds(r.pid)]));
}

/** CPU seconds the backends used between two snapshots (new backends count from zero). */
export function backendCpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}

/** Redis server CPU seconds so far (INFO cpu; the whole server, other users included). */
export async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const n = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return n('used_cpu_user') + n('used_cpu_sys');
}

/** Resident set size of a process, in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
  return kb / 1024;
}

export async function redisUsedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 'NaN');
}

/** Bytes Redis uses for the keys under a prefix (sum of MEMORY USAGE; other users excluded). */
export async function redisPrefixMemory(
  redis: Redis,
  prefix: string,
): Promise<{ bytes: number; keys: number }> {
  let cursor = '0';
  let bytes = 0;
  let keys = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) {
      bytes += Number((await redis.call('MEMORY', 'USAGE', key)) ?? 0);
      keys++;
    }
  } while (cursor !== '0');
  return { bytes, keys };
}

export function machine(): string {
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
  return (
    `${new Date().toISOString()} · ${cpus().length} cores (${cpus()[0]?.model.trim()}) · ` +
    `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} free) · ` +
    `node ${process.version} · load average ${load}`
  );
}

export const loadNow = () => loadavg()[0].toFixed(2);

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const align = headers.map((_, i) => (i === 0 ? '---' : '---:'));
  return [headers, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
