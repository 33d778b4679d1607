import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblems } from '../common/api-problems.js';
import { LengthOfStayService } from './length-of-stay.service.js';

export class MeasureResponse {
  @ApiProperty({ description: 'cases (re)measured by this run' }) measured: number;
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('length-of-stay')
export class LengthOfStayController {
  constructor(private readonly los: LengthOfStayService) {}

  /** On demand: the same measurement the nightly job runs, for the caller's scheme. */
  @Post('measure')
  @ApiOperation({ summary: 'Measure length of stay now' })
  @HttpCode(200)
  @Roles('scheme_manager')
  @ApiOkResponse({ type: MeasureResponse })
  @ApiProblems(401, 403)
  async measure(@CurrentUser() me: Principal): Promise<MeasureResponse> {
    return { measured: await this.los.measure(me.schemeId!) };
  }
}
