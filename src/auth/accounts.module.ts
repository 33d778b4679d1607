// Accounts and set-up: sign-in, users, schemes and their settings, contractors, landlords.
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ContractorsController, ContractorsService } from '../contractors/contractors.js';
import { LandlordsController, LandlordsService } from '../landlords/landlords.js';
import { SchemesController } from '../schemes/schemes.controller.js';
import { SchemesService } from '../schemes/schemes.service.js';
import { UsersController } from '../users/users.controller.js';
import { UsersService } from '../users/users.service.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { LoginLimiter } from './login-limiter.js';
import { TokenService } from './token.service.js';

@Module({
  controllers: [
    AuthController,
    UsersController,
    SchemesController,
    ContractorsController,
    LandlordsController,
  ],
  providers: [
    AuthService,
    TokenService,
    LoginLimiter,
    UsersService,
    SchemesService,
    ContractorsService,
    LandlordsService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [UsersService, SchemesService, TokenService],
})
export class AccountsModule {}
