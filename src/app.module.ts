import { DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { RequestContextInterceptor } from './common/request-context.js';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AccountsModule } from './auth/accounts.module.js';
import { ProblemFilter } from './common/problem.filter.js';
import { createValidationPipe } from './common/validation.js';
import { CoreModule, type CoreOptions } from './core/core.module.js';
import { HealthModule } from './health/health.module.js';
import { loggerParams } from './logging.js';
import { featureModules } from './features.js';

export interface AppModuleOptions extends CoreOptions {
  logLevel: string;
  /** Where log lines go instead of stdout (tests). */
  logDestination?: DestinationStream;
  /** Whether this process runs the queue workers (APP_ROLE all|worker). */
  workers: boolean;
  /** Whether this process serves HTTP (APP_ROLE all|api). */
  http: boolean;
}

@Module({})
export class AppModule {
  static forRoot(opts: AppModuleOptions): DynamicModule {
    const features: (Type | DynamicModule)[] = featureModules(opts);
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerParams(opts.logLevel, opts.logDestination)),
        CoreModule.forRoot(opts),
        AccountsModule,
        HealthModule,
        ...features,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
      ],
    };
  }
}
