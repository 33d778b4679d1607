import type { DynamicModule, Type } from '@nestjs/common';
import type { AppModuleOptions } from './app.module.js';
import { WorkflowModule } from './cases/workflow.module.js';
import { QueueModule } from './queue/queue.module.js';
import { ReportsModule } from './reports/reports.module.js';

/** The feature modules of the product, in dependency order. */
export function featureModules(opts: AppModuleOptions): (Type | DynamicModule)[] {
  return [
    WorkflowModule,
    QueueModule.forRoot({
      redisUrl: opts.config.env.REDIS_URL,
      prefix: opts.redisPrefix,
      workers: opts.workers,
    }),
    ReportsModule,
  ];
}
