// Entry point. APP_ROLE=all (default) serves HTTP and runs the workers; api or worker runs one.
import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import { createApp } from './app.factory.js';
import { ConfigError } from './config/env.js';
import { ServiceUnreachableError } from './database/bootstrap.js';

loadDotenv({ quiet: true });

async function main(): Promise<void> {
  const { app, config } = await createApp();
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
