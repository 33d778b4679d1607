// Moves outbox rows onto BullMQ after their transaction committed. Woken by NOTIFY, and polling as
// a fallback; rows are claimed with SKIP LOCKED so several worker processes can relay together.
// If Redis is down the rows simply wait: nothing is lost, and API writes never depend on Redis.
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { QUEUES, type QueueName } from './queue.constants.js';

const POLL_MS = 1000;
const BATCH = 200;
const ADD_TIMEOUT_MS = 3000;

export const DEFAULT_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: false,
} as const;

@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly queues: Record<QueueName, Queue>;
  private listener: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    @InjectQueue(QUEUES.chasing) chasing: Queue,
    @InjectQueue(QUEUES.notifications) notifications: Queue,
    @InjectQueue(QUEUES.maintenance) maintenance: Queue,
  ) {
    this.queues = { chasing, notifications, maintenance };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.listener = new pg.Client({ connectionString: this.config.env.DATABASE_URL });
    this.listener.on('error', () => undefined);
    this.listener.on('notification', () => this.kick());
    try {
      await this.listener.connect();
      await this.listener.query('LISTEN sanctuary_outbox');
    } catch {
      this.logger.warn('outbox LISTEN unavailable; polling only');
    }
    const tick = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(tick, POLL_MS);
    };
    tick();
  }

  /** Starts a relay pass (or asks the running one to go again). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.relayAll()
      .catch((err: Error) => {
        this.logger.warn({ err: err.name }, 'outbox relay pass failed; will retry');
        return 0;
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Relays until the outbox is empty; returns how many rows went onto the queues. */
  async relayAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.relayBatch();
      total += n;
      if (n < BATCH || this.stopped) return total;
    }
  }

  private async relayBatch(): Promise<number> {
    return this.ds.transaction(async (m) => {
      const rows: {
        id: string;
        queue: QueueName;
        name: string;
        job_id: string;
        payload: Record<string, unknown>;
        run_at: Date | null;
      }[] = await m.query(
        `SELECT id, queue, name, job_id, payload, run_at FROM outbox WHERE relayed_at IS NULL ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
      );
      if (!rows.length) return 0;
      // One addBulk per queue (one Redis round trip for up to BATCH jobs, not one each). Job ids
      // are deterministic, so a row relayed twice (a crash before the UPDATE below) adds nothing.
      const done: string[] = [];
      for (const [name, queue] of Object.entries(this.queues)) {
        const mine = rows.filter((r) => r.queue === name);
        if (!mine.length) continue;
        // The delay is measured now, just before the add, so a slow pass never makes jobs late.
        const now = this.clock.now().getTime();
        await withTimeout(
          queue.addBulk(
            mine.map((r) => ({
              name: r.name,
              data: r.payload,
              opts: {
                ...DEFAULT_JOB_OPTIONS,
                jobId: r.job_id,
                delay: r.run_at ? Math.max(0, r.run_at.getTime() - now) : 0,
              },
            })),
          ),
          ADD_TIMEOUT_MS,
        );
        done.push(...mine.map((r) => r.id));
      }
      // A row naming no known queue (none is ever written) stays for an operator and is not
      // counted, so the pass ends instead of selecting it again.
      await m.query(`UPDATE outbox SET relayed_at = now() WHERE id = ANY($1::bigint[])`, [done]);
      return done.length;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.listener?.end().catch(() => undefined);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error('queue add timed out')), ms);
    }),
  ]);
}
