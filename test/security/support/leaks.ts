// The leak hunt: personal data may live only in the encrypted `*_enc` columns. Every other column
// of every table (by SQL, and again in a real `pg_dump` of the whole database — audit log and
// outbox included), every Redis key and value under the app's prefix (job data and failure
// reasons included), every line the service logged and every error answer the tests received are
// searched for the CANARY values. Ciphertext is base64, so it cannot contain a canary by chance.
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import type { TestApp } from '../../support/app.js';
import { CANARY } from '../../support/cases.js';
import { canariesIn, type Exchange } from './world.js';

/** Columns holding secrets that are not personal data in the clear (hashes, ciphertext). */
const OPAQUE = /(_enc|_hash)$/;

function patterns(): string[] {
  const out = new Set<string>();
  for (const v of Object.values(CANARY)) {
    out.add(`%${v.toLowerCase()}%`);
    out.add(`%${v.replace(/\s+/g, '').toLowerCase()}%`);
  }
  return [...out];
}

export async function scanDatabase(t: TestApp): Promise<string[]> {
  const cols: { table_name: string; column_name: string }[] = await t.ds.query(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  const byTable = new Map<string, string[]>();
  for (const c of cols) {
    if (OPAQUE.test(c.column_name)) continue;
    byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), c.column_name]);
  }
  const found: string[] = [];
  const pats = patterns();
  for (const [table, columns] of byTable) {
    for (const column of columns) {
      const [{ n }] = await t.ds.query(
        `SELECT count(*)::int AS n FROM "${table}" WHERE lower("${column}"::text) LIKE ANY($1)`,
        [pats],
      );
      if (n > 0) found.push(`database ${table}.${column}: ${n} row(s) hold a canary`);
    }
  }
  return found;
}

export async function scanRedis(prefix: string): Promise<{ keys: number; found: string[] }> {
  const r = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  await r.connect();
  const found: string[] = [];
  let keys = 0;
  try {
    let cursor = '0';
    do {
      const [next, batch] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of batch) {
        keys++;
        const text = `${key}\n${await dump(r, key)}`;
        const hits = canariesIn(text);
        if (hits.length) found.push(`redis ${key}: ${hits.join(', ')}`);
      }
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return { keys, found };
}

async function dump(r: Redis, key: string): Promise<string> {
  switch (await r.type(key)) {
    case 'string':
      return (await r.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await r.hgetall(key));
    case 'list':
      return JSON.stringify(await r.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await r.smembers(key));
    case 'zset':
      return JSON.stringify(await r.zrange(key, 0, -1));
    case 'stream':
      return JSON.stringify(await r.xrange(key, '-', '+'));
    default:
      return '';
  }
}

const PG_DUMP = process.env.PG_DUMP ?? '/usr/bin/pg_dump';

/** A plain-SQL `pg_dump` of the app's database (schema and data), searched as text. */
export async function scanDump(dbUrl: string): Promise<{ bytes: number; found: string[] }> {
  const chunks: Buffer[] = [];
  const errors: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const p = spawn(PG_DUMP, ['--format=plain', '--no-owner', '--no-privileges', dbUrl]);
    p.stdout.on('data', (c: Buffer) => chunks.push(c));
    p.stderr.on('data', (c: Buffer) => errors.push(c));
    p.on('error', reject);
    p.on('close', resolve);
  });
  if (code !== 0) throw new Error(`pg_dump exited ${code}: ${Buffer.concat(errors).toString()}`);
  const text = Buffer.concat(chunks).toString('utf8');
  const found: string[] = [];
  // Line by line, so a finding names the table (COPY block) it is in.
  let table = '(schema)';
  for (const line of text.split('\n')) {
    if (line.startsWith('COPY ')) table = line.split(' ')[1];
    const hits = canariesIn(line);
    if (hits.length) found.push(`pg_dump ${table}: ${hits.join(', ')}`);
  }
  return { bytes: Buffer.byteLength(text), found };
}

/** Every line the service logged. */
export function scanLogs(lines: string[]): string[] {
  return lines.flatMap((line, i) => {
    const hits = canariesIn(line);
    return hits.length ? [`log line ${i + 1}: ${hits.join(', ')}: ${line.slice(0, 160)}`] : [];
  });
}

export function scanErrors(exchanges: Exchange[]): string[] {
  return exchanges
    .filter((x) => x.status >= 400)
    .flatMap((x) => {
      const hits = canariesIn(x.text);
      return hits.length
        ? [`${x.method} ${x.url.slice(0, 80)} → ${x.status}: ${hits.join(', ')}`]
        : [];
    });
}

export interface LeakReport {
  findings: string[];
  columns: number;
  redisKeys: number;
  errorAnswers: number;
  dumpBytes: number;
  logLines: number;
}

export async function huntLeaks(t: TestApp, exchanges: Exchange[]): Promise<LeakReport> {
  const [{ n: columns }] = await t.ds.query(
    `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  const redis = await scanRedis(t.prefix);
  const dump = await scanDump(t.dbUrl);
  const findings = [
    ...(await scanDatabase(t)),
    ...dump.found,
    ...redis.found,
    ...scanLogs(t.logs),
    ...scanErrors(exchanges),
  ];
  return {
    findings,
    columns,
    redisKeys: redis.keys,
    errorAnswers: exchanges.filter((x) => x.status >= 400).length,
    dumpBytes: dump.bytes,
    logLines: t.logs.length,
  };
}

/** Prints a leak hunt's figures, one line each, prefixed with when it ran. */
export function printLeakReport(when: string, report: LeakReport): void {
  console.log(
    [
      `plain columns searched: ${report.columns}`,
      `pg_dump bytes searched: ${report.dumpBytes}`,
      `Redis keys searched: ${report.redisKeys}`,
      `log lines searched (LOG_LEVEL=trace): ${report.logLines}`,
      `error answers searched: ${report.errorAnswers}`,
      `canaries found: ${report.findings.length}`,
    ]
      .map((l) => `leak hunt (${when}): ${l}`)
      .join('\n'),
  );
}
