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
    // The NOTIFY wakes the relay after commit instead of waiting for its next poll; it rides in the
    // same statement as the insert (one round trip, not two — chasing writes two outbox rows each).
    await m.query(
      `WITH added AS (
         INSERT INTO outbox (queue, name, job_id, payload, run_at) VALUES ($1, $2, $3, $4, $5) RETURNING id
       )
       SELECT pg_notify('sanctuary_outbox', '') FROM added`,
      [msg.queue, msg.name, msg.jobId, msg.payload, msg.runAt ?? null],
    );
  }

  /** Many messages in one statement (and one NOTIFY): batched chasing writes hundreds at once. */
  async addMany(m: EntityManager, msgs: OutboxMessage[]): Promise<void> {
    if (!msgs.length) return;
    if (msgs.length === 1) return this.add(m, msgs[0]);
    await m.query(
      `WITH added AS (
         INSERT INTO outbox (queue, name, job_id, payload, run_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[])
         RETURNING id
       )
       SELECT pg_notify('sanctuary_outbox', '') FROM (SELECT 1 FROM added LIMIT 1) one`,
      [
        msgs.map((x) => x.queue),
        msgs.map((x) => x.name),
        msgs.map((x) => x.jobId),
        msgs.map((x) => JSON.stringify(x.payload)),
        msgs.map((x) => x.runAt ?? null),
      ],
    );
  }
}
