// The one DataSource definition shared by the app, the CLI and the tests. Migrations only: the
// schema is never synchronised from entities.
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { entities } from './entities.js';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
}

export function createDataSource(opts: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    poolSize: opts.poolSize ?? 10,
    applicationName: opts.applicationName ?? 'sanctuary',
    extra: {
      statement_timeout: opts.statementTimeoutMs ?? 30000,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
    },
  });
}
