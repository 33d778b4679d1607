// Entry point. APP_ROLE=all (default) serves HTTP and runs the workers; api or worker runs one.
import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import { createApp } from './app.factory.js';
import { ConfigError } from './config/env.js';
import { ServiceUnreachableError } from './database/bootstrap.js';

loadDotenv({ quiet: true });

/** Longest a graceful shutdown may take before the process gives up on stragglers. */
const SHUTDOWN_GRACE_MS = 30_000;

async function main(): Promise<void> {
  // Shutdown hooks: readiness goes 503 first, HTTP stops taking new requests and lets in-flight
  // ones finish, workers finish the job in hand, then connections close and the process exits 0.
  // Installed before start-up, so a signal during start-up still ends in a clean shutdown.
  let stopping = false;
  let started: ReturnType<typeof createApp> | null = null;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`Sanctuary received ${signal}: shutting down gracefully`);
    const force = setTimeout(() => {
      console.error('Sanctuary did not shut down in time; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    (started ?? Promise.reject(new Error('not started')))
      .then(({ app }) => app.close())
      .then(() => process.exit(0))
      .catch(() => process.exit(started ? 1 : 0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  started = createApp();
  const { app, config } = await started;
  if (stopping) return;
  if (config.env.APP_ROLE !== 'worker') {
    await app.listen({ port: config.env.PORT, host: config.env.HOST });
    console.log(
      `Sanctuary ${config.env.APP_ROLE} listening on http://${config.env.HOST}:${config.env.PORT} (docs at /docs)`,
    );
  } else {
    console.log('Sanctuary worker running');
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`Configuration is not valid:\n${err.problems.map((p) => `  ${p}`).join('\n')}`);
  } else if (err instanceof ServiceUnreachableError) {
    console.error(err.message);
  } else {
    console.error(
      `Sanctuary failed to start: ${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? err}`,
    );
  }
  process.exit(1);
});
