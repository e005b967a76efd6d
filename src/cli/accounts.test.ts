import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { createSession, sessionAccount } from '../accounts/sessions.js';
import { findAccount } from '../community/moderation.js';
import { auditEntries } from '../store/audit.js';

describe.each(engines)('paperboy accounts on %s', (engine) => {
  let t: TestStore;
  const cli = (...args: string[]) => runCli(['accounts', ...args], t.env);

  beforeAll(async () => {
    t = await freshStore(engine);
  });
  afterAll(() => t.dispose());

  it('creates the first account as admin and the next as members, changes roles, bans and unbans, all audited', async () => {
    expect((await cli('list')).stdout).toContain('No accounts yet');

    const first = await cli('create', 'Ada@Example.org');
    expect(first).toMatchObject({ code: 0, stdout: 'created @ada <ada@example.org> as admin\n' });
    expect((await cli('create', 'bob@example.org', '--handle', 'bobby')).stdout).toBe(
      'created @bobby <bob@example.org> as member\n',
    );
    const again = await cli('create', 'bob@example.org');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('bob@example.org already has an account, @bobby');

    expect((await cli('role', 'bobby', 'curator')).stdout).toBe('@bobby is now curator\n');
    const last = await cli('role', 'ada@example.org', 'member');
    expect(last.code).toBe(1);
    expect(last.stderr).toBe(
      'paperboy: @ada is the last admin. Make another account admin first, so that someone can still manage roles.\n',
    );
    const admin = await cli('ban', 'ada');
    expect(admin.code).toBe(1);
    expect(admin.stderr).toContain('Change their role first');
    expect((await cli('role', 'nobody', 'member')).stderr).toContain('No account has the handle or address “nobody”');

    const bob = (await findAccount(t.db, 'bobby'))!;
    expect(bob).toMatchObject({ role: 'curator', origin: 'cli' });
    const now = new Date();
    const session = await createSession(t.db, bob.id, now);
    expect((await cli('ban', '@bobby')).stdout).toBe('banned @bobby; ended 1 sessions\n');
    expect(await sessionAccount(t.db, session, now)).toBeUndefined();
    expect((await findAccount(t.db, 'bobby'))?.bannedAt).not.toBeNull();
    expect((await cli('unban', 'bob@example.org')).stdout).toBe('unbanned @bobby\n');

    const listed = JSON.parse((await cli('list', '--json')).stdout) as {
      handle: string;
      role: string;
      bannedAt: string | null;
    }[];
    expect(listed.map((a) => [a.handle, a.role, a.bannedAt])).toEqual([
      ['bobby', 'curator', null],
      ['ada', 'admin', null],
    ]);

    const audit = await auditEntries(t.db);
    expect(audit.every((e) => e.actorId === null)).toBe(true);
    expect(audit.map((e) => e.action).sort()).toEqual([
      'account.ban',
      'account.create',
      'account.create',
      'account.role',
      'account.unban',
    ]);
  });

  it('gives an account a handle from its address even when its name is reserved, short or taken', async () => {
    // As on a first sign-in (src/accounts/accounts.ts handleForAddress).
    for (const [email, handle] of [
      ['admin@example.org', 'admin-2'],
      ['me@example.org', 'me-2'],
      ['ada@other.org', 'ada-2'],
      ['josé@example.org', 'jose'],
    ]) {
      expect((await cli('create', email!)).stdout).toBe(`created @${handle} <${email}> as member\n`);
    }
  });
});
