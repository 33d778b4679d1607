import { Body, Controller, Param, Patch, Post } from '@nestjs/common';
import {
  ApiOperation,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { UuidPipe } from '../common/validation.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblems } from '../common/api-problems.js';
import { CreateUserDto, PatchUserDto, UserResponse } from './users.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('set-up')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a staff account' })
  @Roles('admin', 'scheme_manager')
  @ApiCreatedResponse({ type: UserResponse })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  create(@CurrentUser() me: Principal, @Body() dto: CreateUserDto): Promise<UserResponse> {
    return this.users.create(me, dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a staff account (name, role, active)' })
  @Roles('admin', 'scheme_manager')
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(400, 401, 404, 422)
  patch(
    @CurrentUser() me: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: PatchUserDto,
  ): Promise<UserResponse> {
    return this.users.patch(me, id, dto);
  }
}
