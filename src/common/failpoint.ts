// Fault injection for the reliability tests: `SANCTUARY_FAILPOINT=<name>` makes this process die
// with SIGKILL (like a power cut) the first time it reaches that point. Never active in production.
const active = process.env.NODE_ENV !== 'production' ? process.env.SANCTUARY_FAILPOINT : undefined;

export const FAILPOINTS = ['chase.before_tx', 'chase.after_commit', 'email.after_send'] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

export function failpoint(name: Failpoint): void {
  if (active === name) process.kill(process.pid, 'SIGKILL');
}
