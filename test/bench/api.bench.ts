// API vs the physical limit. Seeds 100k cases (real per-case ciphertexts) in a throwaway database,
// starts the BUILT product (APP_ROLE=api, LOG_LEVEL=warn) and raw-server.ts (bare Fastify + pg doing
// the same SQL), and drives both with autocannon — same requests, same JWT, 50 connections, 10 s
// each after a 3 s warm-up, in 3 interleaved rounds — for:
//   read    GET  /api/v1/cases/:id         a random one of the 100k cases each request
//   accept  POST /api/v1/cases/:id/accept  a fresh `referred` case each request (own pool per server)
// Reports req/s, p50/p99 latency, CPU per request (the server process, and its PostgreSQL
// backends) and product ÷ raw, side by side.
// Targets: throughput ratio ≥ 0.5; product p99 ≤ 2 × raw p99.
//
//   npm run bench:api
//   BENCH_ROUNDS=3 BENCH_DURATION=10 BENCH_CONNECTIONS=50 BENCH_CASES=100000 npm run bench:api
//   BENCH_SKIP_BUILD=1 …        reuse dist/ as built
//   BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' …   profile the product
//
// A benchmark, not a test: never run by jest or CI. Needs PostgreSQL and Redis on 127.0.0.1; the
// database and Redis keys it makes are dropped at the end, also on failure or Ctrl-C.
import { spawn } from 'node:child_process';
import autocannon, { type Request, type Result } from 'autocannon';
import type pg from 'pg';
import {
  checkServices,
  backendCpu,
  backendCpuSince,
  buildProduct,
  cpuSeconds,
  createWorld,
  loadNow,
  machine,
  onCleanup,
  REALISTIC_STATUS_SQL,
  ROOT,
  runBench,
  seedCases,
  setupScheme,
  sleep,
  startProduct,
  table,
  BenchError,
  target,
} from './support.js';

const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Fresh `referred` cases per server for the accept runs (all rounds, warm-ups included). */
const ACCEPT_POOL = Number(process.env.BENCH_ACCEPT_POOL ?? 30_000 * ROUNDS);
const POOL_SIZE = '10'; // the product's DB_POOL_SIZE default; the raw server gets the same

function chunk<T>(xs: T[], n: number): T[][] {
  const size = Math.ceil(xs.length / n);
  return Array.from({ length: n }, (_, i) => xs.slice(i * size, (i + 1) * size));
}

interface Run {
  target: string;
  result: Result;
  cpuMsPerReq: number;
  pgCpuMsPerReq: number;
  ok: number;
}

async function drive(
  target: string,
  base: string,
  pid: number,
  appName: string,
  pool: pg.Pool,
  token: string,
  kind: 'read' | 'accept',
  ids: string[],
): Promise<Run> {
  let i = 0;
  const nextId =
    kind === 'read'
      ? () => ids[Math.floor(Math.random() * ids.length)]
      : () => ids[i++ % ids.length];
  const request: Request =
    kind === 'read'
      ? {
          method: 'GET',
          headers: { authorization: `Bearer ${token}` },
          setupRequest: (r) => ({ ...r, path: `/api/v1/cases/${nextId()}` }),
        }
      : {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
          setupRequest: (r) => ({ ...r, path: `/api/v1/cases/${nextId()}/accept` }),
        };
  await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: WARMUP,
    requests: [request],
  });
  const cpu0 = cpuSeconds(pid);
  const pg0 = await backendCpu(pool, appName);
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [request],
  });
  const cpu = cpuSeconds(pid) - cpu0;
  const pgCpu = backendCpuSince(pg0, await backendCpu(pool, appName));
  if (kind === 'accept' && i > ids.length)
    console.warn(
      `  ${target}: the accept pool ran out (${i} > ${ids.length}); raise BENCH_ACCEPT_POOL`,
    );
  const ok = result['2xx'];
  console.log(
    `  ${kind.padEnd(6)} ${target.padEnd(8)} ${(ok / result.duration).toFixed(0).padStart(6)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}  errors ${result.errors}  timeouts ${result.timeouts}  load ${loadNow()}`,
  );
  return {
    target,
    result,
    cpuMsPerReq: (cpu * 1000) / Math.max(1, ok),
    pgCpuMsPerReq: (pgCpu * 1000) / Math.max(1, ok),
    ok,
  };
}

async function startRaw(env: Record<string, string>, port: number): Promise<{ pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/raw-server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), DB_POOL_SIZE: POOL_SIZE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4000)));
  child.stderr!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4000)));
  let exited = false;
  const done = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      r();
    }),
  );
  onCleanup(`stop raw server (pid ${child.pid})`, async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(t);
  });
  for (let waited = 0; ; waited += 200) {
    if (exited) throw new BenchError(`raw server exited while starting:\n${output}`);
    if (waited > 30_000) throw new BenchError(`raw server did not start:\n${output}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { pid: child.pid! };
    await sleep(200);
  }
}

async function main(): Promise<void> {
  console.log(`API bench — ${machine()}`);
  await checkServices(); // fail fast, before the build
  buildProduct();
  const world = await createWorld('api');
  const product = await startProduct(world, 'api', { env: { DB_POOL_SIZE: POOL_SIZE } });
  const s = await setupScheme(product.base);

  let t0 = Date.now();
  const readIds = await seedCases(world, s, {
    count: CASES,
    refPrefix: 'R',
    statusSql: REALISTIC_STATUS_SQL,
  });
  const productPool = await seedCases(world, s, {
    count: ACCEPT_POOL,
    refPrefix: 'AP',
    statusSql: `'referred'`,
  });
  const rawPool = await seedCases(world, s, {
    count: ACCEPT_POOL,
    refPrefix: 'AR',
    statusSql: `'referred'`,
  });
  await world.pool.query('VACUUM ANALYZE');
  const [{ n, size }] = (
    await world.pool.query(
      `SELECT count(*)::int AS n, pg_size_pretty(pg_total_relation_size('cases')) AS size FROM cases`,
    )
  ).rows;
  console.log(
    `seeded ${n} cases (${CASES} to read + 2 × ${ACCEPT_POOL} referred to accept), cases table ${size}, in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  const raw = await startRaw(world.env, product.port + 500);
  const rawBase = `http://127.0.0.1:${product.port + 500}`;

  // Sanity: both answer the same request the same way before any timing.
  for (const [name, base] of [
    ['raw', rawBase],
    ['product', product.base],
  ] as const) {
    const r = await fetch(`${base}/api/v1/cases/${readIds[0]}`, {
      headers: { authorization: `Bearer ${s.idvaToken}` },
    });
    const body = (await r.json()) as { serviceUser?: { name?: string } };
    if (r.status !== 200 || !body.serviceUser?.name)
      throw new BenchError(`${name} GET /cases/:id answered ${r.status} ${JSON.stringify(body)}`);
  }

  console.log(
    `\nautocannon: ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per run, load before ${loadNow()}`,
  );
  t0 = Date.now();
  // Rounds interleave raw and product (and swap who goes first) so that load from elsewhere on the
  // machine hits both alike; each round's figures are shown, and the median of the rounds.
  const runs: { kind: 'read' | 'accept'; round: number; raw: Run; product: Run }[] = [];
  const rawPools = chunk(rawPool, ROUNDS);
  const productPools = chunk(productPool, ROUNDS);
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`round ${round}/${ROUNDS}`);
    for (const kind of ['read', 'accept'] as const) {
      const go = (who: 'raw' | 'product') =>
        who === 'raw'
          ? drive(
              'raw',
              rawBase,
              raw.pid,
              'raw-server',
              world.pool,
              s.idvaToken,
              kind,
              kind === 'read' ? readIds : rawPools[round - 1],
            )
          : drive(
              'product',
              product.base,
              product.pid,
              'sanctuary-api',
              world.pool,
              s.idvaToken,
              kind,
              kind === 'read' ? readIds : productPools[round - 1],
            );
      if (round % 2 === 1) {
        const r = await go('raw');
        runs.push({ kind, round, raw: r, product: await go('product') });
      } else {
        const p = await go('product');
        runs.push({ kind, round, product: p, raw: await go('raw') });
      }
    }
  }

  // The work really happened: each 2xx accept moved one case and wrote one event and audit row.
  const [check] = (
    await world.pool.query(
      `SELECT count(*) FILTER (WHERE status = 'accepted' AND reference LIKE 'AP-%')::int AS product,
              count(*) FILTER (WHERE status = 'accepted' AND reference LIKE 'AR-%')::int AS raw,
              (SELECT count(*)::int FROM case_events WHERE type = 'accepted') AS events
       FROM cases`,
    )
  ).rows;
  console.log(
    `accepted cases: product ${check.product}, raw ${check.raw}; accepted events ${check.events}`,
  );

  const rps = (x: Run) => x.ok / x.result.duration;
  const median = (xs: number[]) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const rows: (string | number)[][] = [];
  const verdicts: string[] = [];
  for (const kind of ['read', 'accept'] as const) {
    const label =
      kind === 'read' ? 'GET /cases/:id (read + audit + decrypt)' : 'POST /cases/:id/accept';
    const mine = runs.filter((x) => x.kind === kind);
    for (const { round, raw: r, product: p } of mine) {
      rows.push([
        ROUNDS > 1 ? `${label}, round ${round}` : label,
        rps(r).toFixed(0),
        rps(p).toFixed(0),
        (rps(p) / rps(r)).toFixed(2),
        r.result.latency.p50,
        p.result.latency.p50,
        r.result.latency.p99,
        p.result.latency.p99,
        (p.result.latency.p99 / r.result.latency.p99).toFixed(2),
        r.cpuMsPerReq.toFixed(2),
        p.cpuMsPerReq.toFixed(2),
        r.pgCpuMsPerReq.toFixed(2),
        p.pgCpuMsPerReq.toFixed(2),
        `${r.result.non2xx + r.result.errors}/${p.result.non2xx + p.result.errors}`,
      ]);
    }
    const ratio = median(mine.map((x) => rps(x.product) / rps(x.raw)));
    const p99x = median(mine.map((x) => x.product.result.latency.p99 / x.raw.result.latency.p99));
    if (ROUNDS > 1) {
      const m = (f: (x: Run) => number, who: 'raw' | 'product') =>
        median(mine.map((x) => f(x[who])));
      rows.push([
        `**${label}, median of ${ROUNDS}**`,
        m(rps, 'raw').toFixed(0),
        m(rps, 'product').toFixed(0),
        ratio.toFixed(2),
        m((x) => x.result.latency.p50, 'raw'),
        m((x) => x.result.latency.p50, 'product'),
        m((x) => x.result.latency.p99, 'raw'),
        m((x) => x.result.latency.p99, 'product'),
        p99x.toFixed(2),
        m((x) => x.cpuMsPerReq, 'raw').toFixed(2),
        m((x) => x.cpuMsPerReq, 'product').toFixed(2),
        m((x) => x.pgCpuMsPerReq, 'raw').toFixed(2),
        m((x) => x.pgCpuMsPerReq, 'product').toFixed(2),
        '',
      ]);
    }
    verdicts.push(
      `${kind}: throughput ratio ${ratio.toFixed(2)} (target ≥ 0.5: ${target(ratio >= 0.5, `${kind} throughput ratio ≥ 0.5`)}), p99 ${p99x.toFixed(2)} × raw (target ≤ 2: ${target(p99x <= 2, `${kind} p99 ≤ 2 × raw`)})`,
    );
  }
  console.log(`\nResults (${new Date().toISOString()}, load average now ${loadNow()}):\n`);
  console.log(
    table(
      [
        'request',
        'raw req/s',
        'product req/s',
        'ratio',
        'raw p50 ms',
        'product p50 ms',
        'raw p99 ms',
        'product p99 ms',
        'p99 ×',
        'raw CPU ms/req',
        'product CPU ms/req',
        'PG CPU ms/req (raw)',
        'PG CPU ms/req (product)',
        'errors raw/product',
      ],
      rows,
    ),
  );
  console.log(`\n${verdicts.join('\n')}`);
  console.log(
    `product: APP_ROLE=api LOG_LEVEL=warn DB_POOL_SIZE=${POOL_SIZE}, ${product.warnings.length} warn+ log lines; measured in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  if (product.warnings.length) console.log(product.warnings.slice(0, 5).join('\n'));
}

runBench(main);
