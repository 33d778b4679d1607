import autocannon from 'autocannon';
import { createWorld, runBench, seedCases, setupScheme, startProduct } from './support.js';
runBench(async () => {
  const world = await createWorld('scratch');
  const p = await startProduct(world, 'api', {
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'],
  });
  const s = await setupScheme(p.base, 1);
  const kind = process.argv[2] ?? 'accept';
  const ids = await seedCases(world, s, { count: 20000, refPrefix: 'X', statusSql: `'referred'` });
  let i = 0;
  const r = await autocannon({
    url: p.base,
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
  await p.stop();
});
