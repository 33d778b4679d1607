import type { DynamicModule, Type } from '@nestjs/common';
import type { AppModuleOptions } from './app.module.js';
import { WorkflowModule } from './cases/workflow.module.js';
import { ReportsModule } from './reports/reports.module.js';

/** The feature modules of the product, in dependency order. */
export function featureModules(_opts: AppModuleOptions): (Type | DynamicModule)[] {
  return [WorkflowModule, ReportsModule];
}
