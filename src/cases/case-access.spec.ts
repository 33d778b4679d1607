import type { Principal } from '../auth/principal.js';
import { caseAccess } from './case-access.js';

const idva = (id: string): Principal => ({ id, role: 'idva', schemeId: 's', contractorId: null });
const row = { restricted: true, restrictedTo: ['named'], assignedTo: 'owner', createdBy: 'owner' };

describe('caseAccess', () => {
  it('lets managers see every case of their scheme', async () => {
    expect(
      caseAccess({ id: 'm', role: 'scheme_manager', schemeId: 's', contractorId: null }, row),
    ).toBe('allowed');
  });
  it('lets named staff and the assigned IDVA open a restricted case', async () => {
    expect(caseAccess(idva('named'), row)).toBe('allowed');
    expect(caseAccess(idva('owner'), row)).toBe('allowed');
  });
  it('hides a restricted case from other IDVAs unless they give a reason', async () => {
    expect(caseAccess(idva('other'), row)).toBe('hidden');
    expect(caseAccess(idva('other'), row, '  ')).toBe('hidden');
    expect(caseAccess(idva('other'), row, 'MARAC meeting today')).toBe('break_glass');
  });
  it('never shows case contents to installers or admins', async () => {
    expect(
      caseAccess(
        { id: 'i', role: 'installer', schemeId: 's', contractorId: 'c' },
        { ...row, restricted: false },
      ),
    ).toBe('hidden');
    expect(
      caseAccess(
        { id: 'a', role: 'admin', schemeId: null, contractorId: null },
        { ...row, restricted: false },
      ),
    ).toBe('hidden');
  });
});
