// Sends queued notifications over SMTP. Without SMTP_URL the notification is recorded as not sent.
// The row stays locked while sending, so two workers never send the same message; the Message-ID
// is derived from the notification id so a receiver can drop a rare resend after a crash.
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { failpoint } from '../common/failpoint.js';
import { encContext, FieldCrypto } from '../common/crypto/field-crypto.js';
import { AppConfig } from '../config/app-config.js';
import { returning } from '../database/sql.js';

export type SendOutcome = 'sent' | 'not_sent' | 'skipped' | 'retry';

@Injectable()
export class MailerService implements OnApplicationShutdown {
  private readonly logger = new Logger(MailerService.name);
  private transport: Transporter | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly crypto: FieldCrypto,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    if (config.env.SMTP_URL) this.transport = nodemailer.createTransport(config.env.SMTP_URL);
  }

  async send(notificationId: string, finalAttempt: boolean): Promise<SendOutcome> {
    if (!this.transport) {
      // Nothing to send with: record it in one statement (no transaction, no lock to hold).
      const rows = await returning(
        this.ds.manager,
        `UPDATE notifications SET status = 'not_sent', last_error = 'no SMTP_URL configured' WHERE id = $1 AND status = 'queued' RETURNING id`,
        [notificationId],
      );
      return rows.length ? 'not_sent' : 'skipped';
    }
    const transport = this.transport;
    return this.ds.transaction(async (m) => {
      const [n] = await m.query(
        `SELECT id, recipient_enc, subject, body_enc FROM notifications WHERE id = $1 AND status = 'queued' FOR UPDATE SKIP LOCKED`,
        [notificationId],
      );
      if (!n) return 'skipped';
      try {
        await transport.sendMail({
          from: this.config.env.MAIL_FROM,
          to: this.crypto.decrypt(n.recipient_enc, encContext('notifications', n.id, 'recipient')),
          subject: n.subject,
          text: this.crypto.decrypt(n.body_enc, encContext('notifications', n.id, 'body')),
          messageId: `<${n.id}@sanctuary.local>`,
        });
        failpoint('email.after_send');
      } catch (err) {
        const code =
          (err as { code?: string; responseCode?: number }).code ??
          String((err as { responseCode?: number }).responseCode ?? 'error');
        this.logger.warn({ notificationId: n.id, code }, 'email not sent');
        await m.query(
          `UPDATE notifications SET attempts = attempts + 1, last_error = $2, status = $3 WHERE id = $1`,
          [n.id, code, finalAttempt ? 'failed' : 'queued'],
        );
        return finalAttempt ? 'skipped' : 'retry';
      }
      await m.query(
        `UPDATE notifications SET status = 'sent', sent_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1`,
        [n.id, this.clock.now()],
      );
      return 'sent';
    });
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
