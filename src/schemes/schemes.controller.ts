import { Body, Controller, Get, Patch, Post } from '@nestjs/common';
import {
  ApiOperation,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblems } from '../common/api-problems.js';
import type { SchemeSettings } from './scheme.entity.js';
import { CreateSchemeDto, PatchSettingsDto, SchemeResponse, SettingsDto } from './schemes.dto.js';
import { SchemesService } from './schemes.service.js';

@ApiTags('set-up')
@ApiBearerAuth()
@Controller()
export class SchemesController {
  constructor(private readonly schemes: SchemesService) {}

  @Post('schemes')
  @ApiOperation({ summary: 'Create a scheme' })
  @Roles('admin')
  @ApiCreatedResponse({ type: SchemeResponse })
  @ApiProblems(400, 401, 403)
  create(@CurrentUser() me: Principal, @Body() dto: CreateSchemeDto): Promise<SchemeResponse> {
    return this.schemes.create(me, dto);
  }

  @Get('scheme/settings')
  @ApiOperation({ summary: 'The scheme’s settings' })
  @Roles('scheme_manager')
  @ApiOkResponse({ type: SettingsDto })
  @ApiProblems(401, 403)
  settings(@CurrentUser() me: Principal): Promise<SchemeSettings> {
    return this.schemes.settings(me.schemeId!);
  }

  @Patch('scheme/settings')
  @ApiOperation({ summary: 'Change the scheme’s settings' })
  @Roles('scheme_manager')
  @ApiOkResponse({ type: SettingsDto })
  @ApiProblems(400, 401, 403)
  patch(@CurrentUser() me: Principal, @Body() dto: PatchSettingsDto): Promise<SchemeSettings> {
    return this.schemes.patchSettings(me, dto);
  }
}
