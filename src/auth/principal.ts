import type { Role } from '../users/user.entity.js';

/** Who is calling: taken from a verified access token, never from the request body. */
export interface Principal {
  id: string;
  role: Role;
  schemeId: string | null;
  contractorId: string | null;
}
