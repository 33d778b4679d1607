// Transactional outbox: work for the queues is written as a row in the same transaction as the
// change that causes it; the relay puts it on BullMQ after commit. A rollback therefore never leaves
// a job behind, and a Redis outage never loses one.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { QueueName } from './queue.constants.js';

export interface OutboxMessage {
  queue: QueueName;
  name: string;
  jobId: string;
  payload: Record<string, string | number>;
  runAt?: Date | null;
}

@Injectable()
export class OutboxService {
  async add(m: EntityManager, msg: OutboxMessage): Promise<void> {
    await m.query(
      `INSERT INTO outbox (queue, name, job_id, payload, run_at) VALUES ($1, $2, $3, $4, $5)`,
      [msg.queue, msg.name, msg.jobId, msg.payload, msg.runAt ?? null],
    );
    // Wake the relay after commit instead of waiting for its next poll.
    await m.query(`SELECT pg_notify('sanctuary_outbox', '')`);
  }
}
