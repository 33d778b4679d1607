import {
  applyDecorators,
  Controller,
  Get,
  Header,
  Headers,
  Query,
  Res,
  type Type,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblems, ProblemDoc } from '../common/api-problems.js';
import { DomainError, ForbiddenError } from '../common/errors.js';
import { PeriodQuery, YearQuery } from './dto/report-query.dto.js';
import {
  AnnualReturnResponse,
  LengthOfStayResponse,
  PipelineResponse,
  TargetHardeningResponse,
} from './dto/report.response.js';
import { negotiateFormat, toCsv, type CsvTable } from './report-csv.js';
import {
  ANNUAL_RETURN_COLUMNS,
  LENGTH_OF_STAY_COLUMNS,
  PIPELINE_COLUMNS,
  TARGET_HARDENING_COLUMNS,
  annualReturnTable,
  lengthOfStayChart,
  lengthOfStayTable,
  pipelineTable,
  targetHardeningChart,
  targetHardeningTable,
} from './report-export.js';
import { ReportsService } from './reports.service.js';

export class NotAcceptableError extends DomainError {
  constructor() {
    super(
      'NOT_ACCEPTABLE',
      406,
      'Not Acceptable',
      'Reports are available as application/json or text/csv: send one of them in Accept.',
    );
  }
}

/** Documents a report that answers JSON by default and CSV for `Accept: text/csv`. */
function ApiReport(type: Type, summary: string, columns: readonly string[]) {
  return applyDecorators(
    ApiOperation({
      summary,
      description: `JSON by default; \`Accept: text/csv\` gives the same figures as CSV (one header row, fixed column order: ${columns.join(', ')}).`,
    }),
    ApiExtraModels(type),
    ApiProduces('application/json', 'text/csv'),
    ApiOkResponse({
      description: summary,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(type) } },
        'text/csv': {
          schema: { type: 'string', description: `RFC 4180 CSV; header row: ${columns.join(',')}` },
          example: `${columns.join(',')}\r\n`,
        },
      },
    }),
    ApiResponse({
      status: 406,
      description: 'Neither JSON nor CSV is acceptable to the client',
      content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDoc) } } },
    }),
  );
}

function ApiSvg(summary: string) {
  return applyDecorators(
    ApiOperation({ summary }),
    ApiProduces('image/svg+xml'),
    ApiOkResponse({
      description: summary,
      content: { 'image/svg+xml': { schema: { type: 'string' } } },
    }),
  );
}

function formatOf(accept: string | undefined): 'json' | 'csv' {
  const format = negotiateFormat(accept);
  if (!format) throw new NotAcceptableError();
  return format;
}

function schemeOf(me: Principal): string {
  // Scheme managers always belong to a scheme; an account without one must never see any scheme's figures.
  if (!me.schemeId) throw new ForbiddenError('Your account belongs to no scheme.');
  return me.schemeId;
}

function csv(reply: FastifyReply, name: string, table: CsvTable): string {
  void reply.header('content-type', 'text/csv; charset=utf-8');
  void reply.header('content-disposition', `attachment; filename="${name}.csv"`);
  return toCsv(table);
}

@ApiTags('reports')
@ApiBearerAuth()
@Roles('scheme_manager')
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('pipeline')
  @ApiReport(
    PipelineResponse,
    'Open cases by stage with age in stage, overdue approvals and jobs',
    PIPELINE_COLUMNS,
  )
  @ApiProblems(401, 403)
  async pipeline(
    @CurrentUser() me: Principal,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PipelineResponse | string> {
    const format = formatOf(accept);
    const report = await this.reports.pipeline(schemeOf(me));
    return format === 'csv' ? csv(reply, 'pipeline', pipelineTable(report)) : report;
  }

  @Get('target-hardening')
  @ApiReport(
    TargetHardeningResponse,
    'Referrals, installations and outcomes per financial quarter and in total',
    TARGET_HARDENING_COLUMNS,
  )
  @ApiProblems(400, 401, 403)
  async targetHardening(
    @CurrentUser() me: Principal,
    @Query() q: PeriodQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TargetHardeningResponse | string> {
    const format = formatOf(accept);
    const report = await this.reports.targetHardening(schemeOf(me), q);
    return format === 'csv'
      ? csv(reply, `target-hardening_${report.from}_${report.to}`, targetHardeningTable(report))
      : report;
  }

  @Get('target-hardening.svg')
  @Header('content-type', 'image/svg+xml; charset=utf-8')
  @ApiSvg(
    'Referrals, installations, unsuccessful and cancelled cases per financial quarter, as a bar chart',
  )
  @ApiProblems(400, 401, 403)
  async targetHardeningSvg(@CurrentUser() me: Principal, @Query() q: PeriodQuery): Promise<string> {
    return targetHardeningChart(await this.reports.targetHardening(schemeOf(me), q));
  }

  @Get('length-of-stay')
  @ApiReport(
    LengthOfStayResponse,
    'Months in support after installation: count, median, histogram and the national bands',
    LENGTH_OF_STAY_COLUMNS,
  )
  @ApiProblems(400, 401, 403)
  async lengthOfStay(
    @CurrentUser() me: Principal,
    @Query() q: PeriodQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LengthOfStayResponse | string> {
    const format = formatOf(accept);
    const report = await this.reports.lengthOfStay(schemeOf(me), q);
    return format === 'csv'
      ? csv(reply, `length-of-stay_${report.from}_${report.to}`, lengthOfStayTable(report))
      : report;
  }

  @Get('length-of-stay.svg')
  @Header('content-type', 'image/svg+xml; charset=utf-8')
  @ApiSvg('Histogram of whole months in support after installation')
  @ApiProblems(400, 401, 403)
  async lengthOfStaySvg(@CurrentUser() me: Principal, @Query() q: PeriodQuery): Promise<string> {
    return lengthOfStayChart(await this.reports.lengthOfStay(schemeOf(me), q));
  }

  @Get('annual-return')
  @ApiReport(
    AnnualReturnResponse,
    'Sanctuary section of the national Part 4 return for a financial year',
    ANNUAL_RETURN_COLUMNS,
  )
  @ApiProblems(400, 401, 403)
  async annualReturn(
    @CurrentUser() me: Principal,
    @Query() q: YearQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AnnualReturnResponse | string> {
    const format = formatOf(accept);
    const report = await this.reports.annualReturn(schemeOf(me), q);
    return format === 'csv'
      ? csv(reply, `annual-return_${report.financialYear}`, annualReturnTable(report))
      : report;
  }
}
