// Owns the process-wide infrastructure: configuration, clock, encryption, the PostgreSQL DataSource
// and the Redis client. Global so feature modules only declare what they own.
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock, SystemClock } from '../common/clock.js';
import { FieldCrypto } from '../common/crypto/field-crypto.js';
import { AppConfig } from '../config/app-config.js';
import { REDIS, REDIS_PREFIX } from './tokens.js';

export interface CoreOptions {
  config: AppConfig;
  dataSource: DataSource;
  redis: Redis;
  clock?: Clock;
  redisPrefix: string;
}

@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(
    private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  static forRoot(opts: CoreOptions) {
    const crypto = new FieldCrypto(opts.config.dataKeys, opts.config.hashKey);
    return {
      module: CoreModule,
      providers: [
        { provide: AppConfig, useValue: opts.config },
        { provide: Clock, useValue: opts.clock ?? new SystemClock() },
        { provide: FieldCrypto, useValue: crypto },
        { provide: DataSource, useValue: opts.dataSource },
        { provide: REDIS, useValue: opts.redis },
        { provide: REDIS_PREFIX, useValue: opts.redisPrefix },
        AuditService,
      ],
      exports: [AppConfig, Clock, FieldCrypto, DataSource, REDIS, REDIS_PREFIX, AuditService],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
    if (this.ds.isInitialized) await this.ds.destroy().catch(() => undefined);
  }
}
