import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiBearerAuth, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblems } from '../common/api-problems.js';
import type { Page } from '../common/pagination.js';
import { parseIfMatch, UuidPipe } from '../common/validation.js';
import {
  AcceptJobDto,
  CompleteJobDto,
  DeclineJobDto,
  FailJobDto,
  JobPage,
  JobResponse,
  ListJobsQuery,
} from './jobs.dto.js';
import { JobsService } from './jobs.service.js';

const IfMatch = ApiHeader({ name: 'If-Match', required: false });

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @ApiOperation({ summary: 'List install jobs' })
  @Roles('installer', 'scheme_manager')
  @ApiOkResponse({ type: JobPage })
  @ApiProblems(400, 401, 403)
  list(@CurrentUser() me: Principal, @Query() q: ListJobsQuery): Promise<Page<JobResponse>> {
    return this.jobs.list(me, q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An install job' })
  @Roles('installer', 'scheme_manager')
  @ApiOkResponse({ type: JobResponse })
  @ApiProblems(400, 401, 404)
  get(@CurrentUser() me: Principal, @Param('id', UuidPipe) id: string): Promise<JobResponse> {
    return this.jobs.get(me, id);
  }

  @Post(':id/accept')
  @ApiOperation({ summary: 'Accept a job and book the visit' })
  @HttpCode(200)
  @Roles('installer')
  @IfMatch
  @ApiOkResponse({ type: JobResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  accept(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: AcceptJobDto,
    @Headers('if-match') v?: string,
  ): Promise<JobResponse> {
    return this.jobs.accept(me, id, dto, parseIfMatch(v));
  }

  @Post(':id/decline')
  @ApiOperation({ summary: 'Decline a job' })
  @HttpCode(200)
  @Roles('installer')
  @IfMatch
  @ApiOkResponse({ type: JobResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  decline(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: DeclineJobDto,
    @Headers('if-match') v?: string,
  ): Promise<JobResponse> {
    return this.jobs.decline(me, id, dto, parseIfMatch(v));
  }

  @Post(':id/complete')
  @ApiOperation({ summary: 'Report a job done' })
  @HttpCode(200)
  @Roles('installer')
  @IfMatch
  @ApiOkResponse({ type: JobResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  complete(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: CompleteJobDto,
    @Headers('if-match') v?: string,
  ): Promise<JobResponse> {
    return this.jobs.complete(me, id, dto, parseIfMatch(v));
  }

  @Post(':id/fail')
  @ApiOperation({ summary: 'Report a job that could not be done' })
  @HttpCode(200)
  @Roles('installer')
  @IfMatch
  @ApiOkResponse({ type: JobResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  fail(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: FailJobDto,
    @Headers('if-match') v?: string,
  ): Promise<JobResponse> {
    return this.jobs.fail(me, id, dto, parseIfMatch(v));
  }
}
