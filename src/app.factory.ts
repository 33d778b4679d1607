// Builds the whole application (HTTP API, workers or both) with the same start-up steps in every
// process: validate config, create the database if missing, migrate, connect Redis, then Nest.
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import { Clock } from './common/clock.js';
import { securityHeaders } from './common/security-headers.js';
import { clientErrorHandler, frameworkErrors } from './common/framework-errors.js';
import { AppConfig, loadConfig } from './config/app-config.js';
import { ensureDatabase, migrate, postgresUnreachable } from './database/bootstrap.js';
import { createDataSource } from './database/data-source.js';
import { connectRedis, createRedis } from './core/redis.js';
import { requestId } from './logging.js';
import { HealthService } from './health/health.js';
import { toProblem } from './common/problem.filter.js';
import { UsersService } from './users/users.service.js';

export const API_PREFIX = 'api/v1';

export interface StartOptions {
  env?: Record<string, string | undefined>;
  clock?: Clock;
  /** Serve Swagger UI at /docs (off under jest, which cannot load its ES-only static files). */
  docsUi?: boolean;
  logger?: boolean;
  /** Where log lines go instead of stdout (tests search them for personal data). */
  logDestination?: DestinationStream;
}

export interface Started {
  app: NestFastifyApplication;
  config: AppConfig;
  dataSource: DataSource;
  redis: Redis;
}

export async function prepareDatabase(config: AppConfig): Promise<DataSource> {
  await ensureDatabase(config.env.DATABASE_URL);
  const ds = createDataSource({
    url: config.env.DATABASE_URL,
    poolSize: config.env.DB_POOL_SIZE,
    statementTimeoutMs: config.env.DB_STATEMENT_TIMEOUT_MS,
    applicationName: `sanctuary-${config.env.APP_ROLE}`,
  });
  try {
    await ds.initialize();
  } catch (err) {
    throw postgresUnreachable(config.env.DATABASE_URL, err);
  }
  await migrate(ds);
  return ds;
}

export function redisPrefixOf(config: AppConfig): string {
  return config.env.REDIS_PREFIX ?? 'sanctuary';
}

export async function createApp(opts: StartOptions = {}): Promise<Started> {
  const config = loadConfig(opts.env ?? process.env);
  const redis = createRedis(config.env.REDIS_URL);
  await connectRedis(config.env.REDIS_URL, redis);
  let dataSource: DataSource;
  try {
    dataSource = await prepareDatabase(config);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const role = config.env.APP_ROLE;
  const adapter = new FastifyAdapter({
    bodyLimit: 256 * 1024,
    genReqId: (req: import('node:http').IncomingMessage) => requestId(req),
    requestIdHeader: false,
    trustProxy: false,
    // On shutdown, idle keep-alive sockets are closed at once; in-flight requests still finish.
    forceCloseConnections: 'idle',
    frameworkErrors,
    clientErrorHandler,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({
      config,
      dataSource,
      redis,
      clock: opts.clock,
      redisPrefix: redisPrefixOf(config),
      logLevel: config.env.LOG_LEVEL,
      logDestination: opts.logDestination,
      workers: role !== 'api',
      http: role !== 'worker',
    }),
    adapter,
    // JSON in, JSON out: Nest's parsers would also take form-encoded bodies, so Fastify's own
    // JSON parser is the only one (prototype poisoning refused); anything else is a 415.
    { bufferLogs: true, abortOnError: false, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready'] });
  const fastify = app.getHttpAdapter().getInstance();
  const security = securityHeaders();
  fastify.addHook('onRequest', (_req, reply, done) => {
    void reply.headers(security.set);
    done();
  });
  fastify.removeContentTypeParser('text/plain');
  let closing = false;
  fastify.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('cache-control', 'no-store');
    if (closing) reply.header('connection', 'close');
  });
  // Graceful shutdown: in-flight requests finish; keep-alive sockets are closed as soon as they go
  // idle instead of holding the process open for their keep-alive timeout.
  fastify.addHook('preClose', (done) => {
    closing = true;
    const timer = setInterval(() => fastify.server.closeIdleConnections(), 100);
    timer.unref();
    fastify.server.once('close', () => clearInterval(timer));
    done();
  });
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Sanctuary API')
      .setDescription(
        'Sanctuary Scheme case management: referral, survey, consent, installation, support, reports.',
      )
      .setVersion('1')
      // Paths are absolute from the host that serves this document (/api/v1/…, /health/…).
      .addServer('/', 'The host serving this document')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, doc, {
    ui: opts.docsUi ?? true,
    raw: ['json'],
    jsonDocumentUrl: 'docs-json',
  });
  fastify.get(`/${API_PREFIX}/docs-json`, async () => doc);
  // Health also answers under the API's base path, for clients that prefix every call with it.
  const health = app.get(HealthService);
  fastify.get(`/${API_PREFIX}/health/live`, async () => ({ status: 'ok' }));
  fastify.get(`/${API_PREFIX}/health/ready`, async (req, reply) => {
    try {
      return await health.ready();
    } catch (err) {
      const problem = toProblem(err, req.url);
      return reply.status(problem.status).type('application/problem+json').send(problem);
    }
  });
  if (config.env.ADMIN_EMAIL && config.env.ADMIN_PASSWORD) {
    await app.get(UsersService).ensureAdmin(config.env.ADMIN_EMAIL, config.env.ADMIN_PASSWORD);
  }
  await app.init();
  return { app, config, dataSource, redis };
}
