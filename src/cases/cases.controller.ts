import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiOperation,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ApprovalResponse } from '../approvals/approvals.dto.js';
import { ApprovalsService } from '../approvals/approvals.service.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblems } from '../common/api-problems.js';
import type { Page } from '../common/pagination.js';
import { parseIfMatch, UuidPipe } from '../common/validation.js';
import { checkKey } from '../idempotency/idempotency.service.js';
import { JobResponse } from '../jobs/jobs.dto.js';
import { JobsService } from '../jobs/jobs.service.js';
import {
  AuditEntryResponse,
  CasePage,
  CaseResponse,
  CaseSummaryResponse,
  TimelineEventResponse,
} from './case.response.js';
import { CasesService } from './cases.service.js';
import {
  ActionDto,
  BookSurveyDto,
  CancelDto,
  CloseDto,
  CreateCaseDto,
  DeclineDto,
  ListCasesQuery,
  OrderInstallDto,
  PatchCaseDto,
  ReviewDto,
  SurveyResultDto,
  UnsuccessfulDto,
} from './dto/case.dto.js';

const IfMatch = ApiHeader({
  name: 'If-Match',
  required: false,
  description: 'the version you read, e.g. "3"',
});
const AccessReason = ApiHeader({
  name: 'X-Access-Reason',
  required: false,
  description: 'break-glass reason to open a restricted case (audited)',
});

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(
    private readonly cases: CasesService,
    private readonly approvals: ApprovalsService,
    private readonly jobs: JobsService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Refer a case' })
  @Roles('idva')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ type: CaseResponse })
  @ApiProblems(400, 401, 403, 422)
  create(
    @CurrentUser() me: Principal,
    @Body() dto: CreateCaseDto,
    @Headers('idempotency-key') key?: string,
  ): Promise<CaseResponse> {
    return this.cases.create(me, dto, checkKey(key));
  }

  @Get()
  @ApiOperation({ summary: 'List cases' })
  @Roles('idva', 'scheme_manager')
  @ApiOkResponse({ type: CasePage })
  @ApiProblems(400, 401, 403)
  list(
    @CurrentUser() me: Principal,
    @Query() q: ListCasesQuery,
  ): Promise<Page<CaseSummaryResponse>> {
    return this.cases.list(me, q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A case' })
  @Roles('idva', 'scheme_manager')
  @AccessReason
  @ApiOkResponse({ type: CaseResponse })
  @ApiProblems(400, 401, 404)
  get(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Headers('x-access-reason') why?: string,
  ): Promise<CaseResponse> {
    return this.cases.get(me, id, why);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a case’s details' })
  @Roles('idva', 'scheme_manager')
  @IfMatch
  @AccessReason
  @ApiOkResponse({ type: CaseResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  patch(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: PatchCaseDto,
    @Headers('if-match') ifMatch?: string,
    @Headers('x-access-reason') why?: string,
  ): Promise<CaseResponse> {
    return this.cases.patch(me, id, dto, parseIfMatch(ifMatch), why);
  }

  @Get(':id/timeline')
  @ApiOperation({ summary: 'A case’s timeline' })
  @Roles('idva', 'scheme_manager')
  @AccessReason
  @ApiOkResponse({ type: [TimelineEventResponse] })
  @ApiProblems(400, 401, 404)
  timeline(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Headers('x-access-reason') why?: string,
  ): Promise<TimelineEventResponse[]> {
    return this.cases.timeline(me, id, why);
  }

  @Get(':id/audit')
  @ApiOperation({ summary: 'Who read or changed a case' })
  @Roles('scheme_manager')
  @ApiOkResponse({ type: [AuditEntryResponse] })
  @ApiProblems(400, 401, 404)
  audit(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
  ): Promise<AuditEntryResponse[]> {
    return this.cases.auditTrail(me, id);
  }

  @Post(':id/accept')
  @ApiOperation({ summary: 'Accept a referral' })
  @HttpCode(200)
  @Roles('idva')
  @IfMatch
  @ApiOkResponse({ type: CaseResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  accept(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: ActionDto,
    @Headers('if-match') v?: string,
    @Headers('x-access-reason') why?: string,
  ) {
    return this.cases.accept(me, id, dto, parseIfMatch(v), why);
  }

  @Post(':id/decline')
  @ApiOperation({ summary: 'Decline a referral' })
  @HttpCode(200)
  @Roles('idva')
  @IfMatch
  @ApiOkResponse({ type: CaseResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  decline(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: DeclineDto,
    @Headers('if-match') v?: string,
    @Headers('x-access-reason') why?: string,
  ) {
    return this.cases.decline(me, id, dto, parseIfMatch(v), why);
  }

  @Post(':id/survey')
  @ApiOperation({ summary: 'Book the survey' })
  @HttpCode(200)
  @Roles('idva')
  @IfMatch
  @ApiOkResponse({ type: CaseResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  survey(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: BookSurveyDto,
    @Headers('if-match') v?: string,
    @Headers('x-access-reason') why?: string,
  ) {
    return this.cases.bookSurvey(me, id, dto, parseIfMatch(v), why);
  }

  @Post(':id/survey/result')
  @ApiOperation({ summary: 'Record the survey’s measures' })
  @HttpCode(200)
  @Roles('idva')
  @IfMatch
  @ApiOkResponse({ type: CaseResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  surveyResult(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: SurveyResultDto,
    @Headers('if-match') v?: string,
    @Headers('x-access-reason') why?: string,
  ) {
    return this.approvals.recordSurvey(me, id, dto, parseIfMatch(v), why);
  }

  @Post(':id/consent-requests')
  @ApiOperation({ summary: 'Ask the landlord for consent' })
  @Roles('idva')
  @IfMatch
  @ApiCreatedResponse({ type: ApprovalResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  consent(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: ActionDto,
    @Headers('if-match') v?: string,
    @Headers('x-access-reason') why?: string,
  ): Promise<ApprovalResponse> {
    return this.approvals.requestConsent(me, id, dto, parseIfMatch(v), why);
  }

  @Post(':id/install-jobs')
  @ApiOperation({ summary: 'Order the installation from a contractor' })
  @Roles('idva', 'scheme_manager')
  @IfMatch
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ type: JobResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  order(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: OrderInstallDto,
    @Headers('if-match') v?: string,
    @Headers('x-access-reason') why?: string,
    @Headers('idempotency-key') key?: string,
  ): Promise<JobResponse> {
    return this.jobs.order(me, id, dto, parseIfMatch(v), why, checkKey(key));
  }

  @Post(':id/cancel')
  @ApiOperation({ summary: 'Cancel a case' })
  @HttpCode(200)
  @Roles('idva')
  @IfMatch
  @ApiOkResponse({ type: CaseResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  cancel(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: CancelDto,
    @Headers('if-match') v?: string,
    @Headers('x-access-reason') why?: string,
  ) {
    return this.cases.cancel(me, id, dto, parseIfMatch(v), why);
  }

  @Post(':id/unsuccessful')
  @ApiOperation({ summary: 'Close a case as unsuccessful' })
  @HttpCode(200)
  @Roles('idva', 'scheme_manager')
  @IfMatch
  @ApiOkResponse({ type: CaseResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  unsuccessful(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: UnsuccessfulDto,
    @Headers('if-match') v?: string,
    @Headers('x-access-reason') why?: string,
  ) {
    return this.cases.unsuccessful(me, id, dto, parseIfMatch(v), why);
  }

  @Post(':id/reviews')
  @ApiOperation({ summary: 'Record a post-installation review' })
  @Roles('idva')
  @IfMatch
  @ApiCreatedResponse({ type: CaseResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  review(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: ReviewDto,
    @Headers('if-match') v?: string,
    @Headers('x-access-reason') why?: string,
  ) {
    return this.cases.review(me, id, dto, parseIfMatch(v), why);
  }

  @Post(':id/close')
  @ApiOperation({ summary: 'Close a case' })
  @HttpCode(200)
  @Roles('idva')
  @IfMatch
  @ApiOkResponse({ type: CaseResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  close(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: CloseDto,
    @Headers('if-match') v?: string,
    @Headers('x-access-reason') why?: string,
  ) {
    return this.cases.close(me, id, dto, parseIfMatch(v), why);
  }
}
