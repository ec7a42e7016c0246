import { describe, expect, it } from 'vitest';
import { readOnlyNote, whoMay } from './role-note';

describe('role notes', () => {
  it('names the roles that hold a permission', () => {
    expect(whoMay('key.write')).toBe('owners, admins and developers');
    expect(whoMay('audit.read')).toBe('owners and admins');
    expect(whoMay('org.read')).toBe('owners, admins, developers and viewers');
  });

  it('explains a missing control only to a role without the permission', () => {
    expect(readOnlyNote('VIEWER', 'key.write', 'keys', 'create, rotate and revoke them')).toBe(
      'Your role (VIEWER) can see keys; owners, admins and developers create, rotate and revoke them.',
    );
    expect(readOnlyNote('DEVELOPER', 'key.write', 'keys', 'create them')).toBeNull();
    expect(readOnlyNote(undefined, 'key.write', 'keys', 'create them')).toBeNull();
  });
});
