import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import {
  createWorld,
  runBench,
  seedCases,
  setupScheme,
  startProduct,
  sleep,
  ROOT,
} from './support.js';
runBench(async () => {
  const world = await createWorld('scratch');
  const p = await startProduct(world, 'api');
  const s = await setupScheme(p.base, 1);
  const kind = process.argv[2] ?? 'accept';
  const ids = await seedCases(world, s, { count: 20000, refPrefix: 'X', statusSql: `'referred'` });
  const child = spawn(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir=/tmp/profraw', '--import', 'tsx', 'test/bench/raw-server.ts'],
    { cwd: ROOT, env: { ...process.env, ...world.env, PORT: '38999' }, stdio: 'inherit' },
  );
  await sleep(3000);
  let i = 0;
  const base = 'http://127.0.0.1:38999';
  const r = await autocannon({
    url: base,
    connections: 50,
    duration: 20,
    requests: [
      kind === 'accept'
        ? {
            method: 'POST',
            headers: { authorization: `Bearer ${s.idvaToken}`, 'content-type': 'application/json' },
            body: '{}',
            setupRequest: (q) => ({ ...q, path: `/api/v1/cases/${ids[i++ % ids.length]}/accept` }),
          }
        : {
            method: 'GET',
            headers: { authorization: `Bearer ${s.idvaToken}` },
            setupRequest: (q) => ({ ...q, path: `/api/v1/cases/${ids[i++ % ids.length]}` }),
          },
    ],
  });
  console.log(kind, r['2xx'] / r.duration, r.latency.p99, r.non2xx);
  child.kill('SIGTERM');
  await new Promise((res) => child.once('exit', res));
});
