// Checks that PostgreSQL and Redis answer before starting or testing; one clear line each if not.
import net from 'node:net';

const pgUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sanctuary');
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

function reachable(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 2000 });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
    s.once('timeout', () => { s.destroy(); resolve(false); });
  });
}

const problems = [];
if (!(await reachable(pgUrl.hostname, Number(pgUrl.port || 5432)))) {
  problems.push(`PostgreSQL is not reachable at ${pgUrl.hostname}:${pgUrl.port || 5432}. Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or set DATABASE_URL).`);
}
if (!(await reachable(redisUrl.hostname, Number(redisUrl.port || 6379)))) {
  problems.push(`Redis is not reachable at ${redisUrl.hostname}:${redisUrl.port || 6379}. Start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no (or set REDIS_URL).`);
}
for (const p of problems) console.error(p);
process.exit(problems.length ? 1 : 0);
