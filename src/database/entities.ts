import { ContractorEntity } from '../contractors/contractor.entity.js';
import { LandlordEntity } from '../landlords/landlord.entity.js';
import { SchemeEntity } from '../schemes/scheme.entity.js';
import { UserEntity } from '../users/user.entity.js';

/** Entities mapped through TypeORM repositories; case, approval and job rows are written with
 *  guarded SQL (`UPDATE … WHERE version = $n`) in their services. */
export const entities = [SchemeEntity, UserEntity, ContractorEntity, LandlordEntity];
