import { Redis } from 'ioredis';
import { describeUrl, ServiceUnreachableError } from '../database/bootstrap.js';

export function redisUnreachable(url: string, why: string): ServiceUnreachableError {
  return new ServiceUnreachableError(
    `Redis is not reachable at ${describeUrl(url)} (${why}). Start it with: redis-server --daemonize yes ` +
      `--bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no — or set REDIS_URL.`,
  );
}

/** A client for BullMQ and rate limiting; fails fast at start-up when Redis is not there. */
export function createRedis(url: string, opts: { forBullmq?: boolean } = {}): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: opts.forBullmq ? null : 1,
    enableOfflineQueue: opts.forBullmq ? true : false,
    connectTimeout: 3000,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Outages are reported by readiness and answered 503 where Redis is needed; ioredis reconnects.
  client.on('error', () => undefined);
  return client;
}

export async function connectRedis(url: string, client: Redis): Promise<void> {
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 4000)),
    ]);
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw redisUnreachable(url, (err as { code?: string }).code ?? (err as Error).message);
  }
}
