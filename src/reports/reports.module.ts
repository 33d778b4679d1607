// Owns the scheme managers' reports: pipeline, target hardening by quarter, length of stay and the
// national Part 4 return. Reads what the case workflow writes; writes nothing.
import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';

@Module({
  controllers: [ReportsController],
  providers: [ReportsRepository, ReportsService],
})
export class ReportsModule {}
