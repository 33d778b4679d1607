import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'idva@example.org' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}

export class PrincipalResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['admin', 'scheme_manager', 'idva', 'installer'] }) role: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) schemeId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) contractorId: string | null;
}

export class LoginResponse {
  @ApiProperty() accessToken: string;
  @ApiProperty({ description: 'seconds' }) expiresIn: number;
  @ApiProperty({ type: PrincipalResponse }) user: PrincipalResponse;
}
