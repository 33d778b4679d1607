import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiProblems } from '../common/api-problems.js';
import { UsersService } from '../users/users.service.js';
import { UserResponse } from '../users/users.dto.js';
import { LoginDto, LoginResponse } from './auth.dto.js';
import { AuthService } from './auth.service.js';
import { Authenticated, CurrentUser, Public } from './decorators.js';
import type { Principal } from './principal.js';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('auth/login')
  @ApiOperation({ summary: 'Sign in with email and password', security: [] })
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponse })
  @ApiProblems(400, 401, 429)
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest): Promise<LoginResponse> {
    return this.auth.login(dto.email, dto.password, req.ip);
  }

  @Get('me')
  @ApiOperation({ summary: 'The signed-in user' })
  @Authenticated()
  @ApiBearerAuth()
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(401)
  me(@CurrentUser() me: Principal): Promise<UserResponse> {
    return this.users.get(me.id);
  }
}
