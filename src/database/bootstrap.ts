// Start-up steps for the database: create it when missing, then run pending migrations. A server
// that cannot be reached becomes one clear line (which service, where, how to start it).
import pg from 'pg';
import type { DataSource } from 'typeorm';

export class ServiceUnreachableError extends Error {}

export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
  } catch {
    return 'the configured address';
  }
}

export function postgresUnreachable(url: string, err: unknown): ServiceUnreachableError {
  const why = (err as { code?: string })?.code ?? (err as Error)?.message ?? 'unknown error';
  return new ServiceUnreachableError(
    `PostgreSQL is not reachable at ${describeUrl(url)} (${why}). Start it with: ` +
      `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start — or set DATABASE_URL.`,
  );
}

export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({
    connectionString: admin.toString(),
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
  } catch (err) {
    throw postgresUnreachable(url, err);
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      dbName,
    ]);
    if (!rowCount) {
      await client
        .query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`)
        .catch((err: { code?: string }) => {
          if (err.code !== '42P04') throw err; // created by a sibling process meanwhile
        });
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${dbName.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export async function migrate(ds: DataSource): Promise<void> {
  // An advisory lock so an API and a worker starting together do not race on the same migration.
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(727001)');
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(727001)').catch(() => undefined);
    await runner.release();
  }
}
