// Liveness says the process runs; readiness says it can serve: PostgreSQL answers, Redis answers
// with `maxmemory-policy noeviction` (any eviction could silently drop queued chases), and the
// process is not shutting down.
import {
  BeforeApplicationShutdown,
  Controller,
  Get,
  HttpCode,
  Inject,
  Injectable,
} from '@nestjs/common';
import { ApiOperation, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../auth/decorators.js';
import { ApiProblems } from '../common/api-problems.js';
import { UnavailableError } from '../common/errors.js';
import { REDIS } from '../core/tokens.js';

export class HealthResponse {
  @ApiProperty({ example: 'ok' }) status: string;
  @ApiProperty({ required: false, type: Object }) checks?: Record<string, unknown>;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, rej) => setTimeout(() => rej(new Error('timed out')), ms)),
  ]);
}

@Injectable()
export class HealthService implements BeforeApplicationShutdown {
  private shuttingDown = false;

  constructor(
    private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  beforeApplicationShutdown(): void {
    // Readiness fails first so a load balancer stops sending traffic while in-flight work finishes.
    this.shuttingDown = true;
  }

  private async database(): Promise<HealthIndicatorResult> {
    const ind = this.indicators.check('database');
    try {
      await withTimeout(this.ds.query('SELECT 1'), 2000);
      return ind.up();
    } catch {
      return ind.down({ reason: 'PostgreSQL does not answer' });
    }
  }

  private async redisCheck(): Promise<HealthIndicatorResult> {
    const ind = this.indicators.check('redis');
    try {
      const res = (await withTimeout(
        this.redis.call('CONFIG', 'GET', 'maxmemory-policy'),
        2000,
      )) as string[];
      const policy = res?.[1];
      if (policy && policy !== 'noeviction') {
        return ind.down({
          reason: `Redis maxmemory-policy is ${policy}; it must be noeviction or queued jobs can be lost`,
        });
      }
      return ind.up({ maxmemoryPolicy: policy ?? 'unknown' });
    } catch {
      return ind.down({ reason: 'Redis does not answer' });
    }
  }

  async ready(): Promise<HealthResponse> {
    if (this.shuttingDown) throw new UnavailableError('The service is shutting down.');
    try {
      const result = await this.health.check([() => this.database(), () => this.redisCheck()]);
      return { status: 'ok', checks: result.details };
    } catch (err) {
      const details =
        (err as { response?: { error?: Record<string, { reason?: string }> } }).response?.error ??
        {};
      const reasons = Object.entries(details).map(([k, v]) => `${k}: ${v.reason ?? 'down'}`);
      throw new UnavailableError(`Not ready: ${reasons.join('; ') || 'a dependency is down'}.`);
    }
  }
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Public()
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process runs', security: [] })
  @HttpCode(200)
  @ApiOkResponse({ type: HealthResponse })
  live(): HealthResponse {
    return { status: 'ok' };
  }

  @Public()
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis answer', security: [] })
  @ApiOkResponse({ type: HealthResponse })
  @ApiProblems(503)
  ready(): Promise<HealthResponse> {
    return this.health.ready();
  }
}
