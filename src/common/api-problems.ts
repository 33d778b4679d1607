import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

export class FieldErrorDoc {
  @ApiProperty() field: string;
  @ApiProperty() message: string;
}

export class ProblemDoc {
  @ApiProperty() type: string;
  @ApiProperty() title: string;
  @ApiProperty() status: number;
  @ApiProperty() detail: string;
  @ApiProperty() instance: string;
  @ApiPropertyOptional() code?: string;
  @ApiPropertyOptional({ type: [FieldErrorDoc] }) errors?: FieldErrorDoc[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (see errors)',
  401: 'Missing or invalid token',
  403: 'The role may not use this endpoint',
  404: 'Not found (or not visible to the caller)',
  409: 'Illegal transition or stale version',
  422: 'A rule of the domain was broken',
  429: 'Too many attempts',
  503: 'A dependency is unavailable',
};

/** Documents the problem+json answers an endpoint can give. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDoc, FieldErrorDoc),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDoc) } } },
      }),
    ),
  );
}
