// Helpers for fault injection: private Redis and PostgreSQL servers that can be stopped and
// restarted, and worker processes of the built service that can be killed.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bearer, type Scheme, type TestApp } from '../support/app.js';
import { caseBody } from '../support/cases.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitPort(port: number, up: boolean, timeoutMs = 10000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() - start > timeoutMs)
      throw new Error(`port ${port} did not go ${up ? 'up' : 'down'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const run = promisify(execFile);

/**
 * A throwaway PostgreSQL cluster (initdb in a temporary directory, trust auth, its own port), so a
 * test can restart a whole server without touching the machine's. The server binaries refuse to run
 * as root, so they run as the `postgres` user when the test runs as root.
 */
export class PrivatePostgres {
  private readonly dir = mkdtempSync(join(tmpdir(), 'sanctuary-pg-'));
  private readonly bin: string;
  constructor(readonly port: number) {
    const versions = readdirSync('/usr/lib/postgresql').sort();
    this.bin = `/usr/lib/postgresql/${versions[versions.length - 1]}/bin`;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const asRoot = process.getuid?.() === 0;
    const [cmd, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', `${this.bin}/${tool}`, ...args]]
      : [`${this.bin}/${tool}`, args];
    await run(cmd, argv, { timeout: 60_000 });
  }

  async init(): Promise<void> {
    if (process.getuid?.() === 0) await run('chown', ['postgres:', this.dir]);
    await this.pg('initdb', [
      '-D',
      `${this.dir}/data`,
      '-U',
      'postgres',
      '-A',
      'trust',
      '--no-sync',
    ]);
    await this.start();
  }

  private ctl(action: 'start' | 'restart'): Promise<void> {
    const opts = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off`;
    const mode = action === 'restart' ? ['-m', 'fast'] : [];
    const data = ['-D', `${this.dir}/data`, '-l', `${this.dir}/log`, '-w'];
    return this.pg('pg_ctl', [...data, ...mode, '-o', opts, action]);
  }

  start(): Promise<void> {
    return this.ctl('start');
  }

  /** `pg_ctl restart -m fast`: every connection is cut, the server goes down and comes back. */
  restart(): Promise<void> {
    return this.ctl('restart');
  }

  async destroy(): Promise<void> {
    await this.pg('pg_ctl', ['-D', `${this.dir}/data`, '-w', '-m', 'immediate', 'stop']).catch(
      () => undefined,
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A throwaway redis-server (nothing on disk) on its own port. */
export class PrivateRedis {
  private proc: ChildProcess | null = null;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    await waitPort(this.port, true);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p) return;
    p.kill('SIGKILL');
    await waitPort(this.port, false);
  }
}

export interface Worker {
  proc: ChildProcess;
  exited: Promise<number | null>;
  /** Resolves once the worker says it runs (or rejects if it exits first). */
  ready: Promise<void>;
  output: () => string;
}

/** A worker process of the built service (APP_ROLE=worker). */
export function spawnWorker(
  env: Record<string, string>,
  extra: Record<string, string> = {},
): Worker {
  if (!existsSync('dist/src/main.js'))
    throw new Error('build first: npm run build (npm run test:faults does it)');
  const proc = spawn(process.execPath, ['dist/src/main.js'], {
    env: { ...process.env, ...env, APP_ROLE: 'worker', WORKER_LOCK_MS: '2000', ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  proc.stdout!.on('data', (d) => {
    out += d.toString();
    if (out.includes('Sanctuary worker running')) markReady();
  });
  proc.stderr!.on('data', (d) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? -9 : null))),
  );
  return {
    proc,
    exited,
    ready: Promise.race([ready, exited.then(() => undefined)]),
    output: () => out,
  };
}

export async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<'timeout'>((r) => (t = setTimeout(() => r('timeout'), ms))),
  ]);
}

export interface Outcome {
  /** ms since the load started */
  at: number;
  status: number;
  problem: boolean;
}

/**
 * Mixed load with a client-side ledger: `clients` loops of create-a-case then list-cases until
 * `durationMs` has passed. Every answer is recorded; every acknowledged create's id is kept, to
 * check afterwards that none was lost.
 */
export async function ledgerLoad(
  t: TestApp,
  s: Scheme,
  durationMs: number,
  clients = 4,
): Promise<{ outcomes: Outcome[]; acknowledged: string[] }> {
  const start = Date.now();
  const outcomes: Outcome[] = [];
  const acknowledged: string[] = [];
  const record = (status: number, contentType: string | undefined) =>
    outcomes.push({
      at: Date.now() - start,
      status,
      problem: /problem\+json/.test(contentType ?? ''),
    });
  const client = async () => {
    while (Date.now() - start < durationMs) {
      const res = await t.http.post('/api/v1/cases').set(bearer(s.idva.token)).send(caseBody(s));
      record(res.status, res.headers['content-type']);
      if (res.status === 201) acknowledged.push(res.body.id);
      const read = await t.http.get('/api/v1/cases?limit=1').set(bearer(s.idva.token));
      record(read.status, read.headers['content-type']);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { outcomes, acknowledged };
}

/** How many of the acknowledged creates are stored (all of them, or a write was lost). */
export async function storedOf(t: TestApp, ids: string[]): Promise<number> {
  const rows = await t.ds.query(`SELECT id FROM cases WHERE id = ANY($1::uuid[])`, [ids]);
  return rows.length;
}
