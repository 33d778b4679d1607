import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiBearerAuth, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblems } from '../common/api-problems.js';
import type { Page } from '../common/pagination.js';
import { parseIfMatch, UuidPipe } from '../common/validation.js';
import {
  ApprovalPage,
  ApprovalResponse,
  ConsentDecisionDto,
  ConsentViewResponse,
  DecisionDto,
  ListApprovalsQuery,
} from './approvals.dto.js';
import { ApprovalsService } from './approvals.service.js';

@ApiTags('approvals')
@ApiBearerAuth()
@Controller('approvals')
export class ApprovalsController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Get()
  @ApiOperation({ summary: 'List approvals' })
  @Roles('idva', 'scheme_manager')
  @ApiOkResponse({ type: ApprovalPage })
  @ApiProblems(400, 401, 403)
  list(
    @CurrentUser() me: Principal,
    @Query() q: ListApprovalsQuery,
  ): Promise<Page<ApprovalResponse>> {
    return this.approvals.list(me, q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An approval' })
  @Roles('idva', 'scheme_manager')
  @ApiOkResponse({ type: ApprovalResponse })
  @ApiProblems(400, 401, 404)
  get(@CurrentUser() me: Principal, @Param('id', UuidPipe) id: string): Promise<ApprovalResponse> {
    return this.approvals.get(me, id);
  }

  @Post(':id/decision')
  @ApiOperation({ summary: 'Record a consent or cost decision' })
  @HttpCode(200)
  @Roles('idva', 'scheme_manager')
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiOkResponse({ type: ApprovalResponse })
  @ApiProblems(400, 401, 404, 409, 422)
  decide(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: DecisionDto,
    @Headers('if-match') v?: string,
  ): Promise<ApprovalResponse> {
    return this.approvals.decide(me, id, dto, parseIfMatch(v));
  }
}

/** The landlord's single-use link: no account, no token header; shows the address and works only. */
@ApiTags('consent')
@Controller('consent')
export class ConsentController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Public()
  @Get(':token')
  @ApiOperation({ summary: 'What the landlord’s consent link shows', security: [] })
  @ApiOkResponse({ type: ConsentViewResponse })
  @ApiProblems(404)
  view(@Param('token') token: string): Promise<ConsentViewResponse> {
    return this.approvals.viewConsent(token);
  }

  @Public()
  @Post(':token')
  @ApiOperation({ summary: 'Give or refuse consent through the link', security: [] })
  @HttpCode(200)
  @ApiOkResponse({ type: ConsentViewResponse })
  @ApiProblems(400, 404)
  decide(
    @Param('token') token: string,
    @Body() dto: ConsentDecisionDto,
  ): Promise<ConsentViewResponse> {
    return this.approvals.decideByLink(token, dto);
  }
}
