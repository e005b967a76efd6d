import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { listApiTokens, tokenAccount } from '../accounts/api-tokens.js';
import { findAccount } from '../community/moderation.js';
import { hashToken } from '../crypto/tokens.js';
import { auditEntries } from '../store/audit.js';

describe.each(engines)('paperboy tokens on %s', (engine) => {
  let t: TestStore;
  const cli = (...args: string[]) => runCli(['tokens', ...args], t.env);

  beforeAll(async () => {
    t = await freshStore(engine);
    for (const email of ['ada@example.org', 'bob@example.org']) {
      const made = await runCli(['accounts', 'create', email], t.env);
      expect(made.code, made.stderr).toBe(0);
    }
  });
  afterAll(() => t.dispose());

  it('creates a token printed once, lists it without it, revokes it; all audited', async () => {
    const ada = (await findAccount(t.db, 'ada'))!;
    expect((await cli('list', 'ada')).stdout).toBe(
      '@ada has no API tokens. Create one with `paperboy tokens create ada`.\n',
    );

    const made = await cli('create', 'ada@example.org', '--scope', 'write', '--name', 'nightly sync');
    expect(made.code, made.stderr).toBe(0);
    // The token alone on standard output (for `TOKEN=$(paperboy tokens create ...)`), what it is on standard error.
    expect(made.stdout).toMatch(/^pb_[A-Za-z0-9_-]{43}\n$/);
    const token = made.stdout.trim();
    const [info] = await listApiTokens(t.db, ada.id);
    expect(made.stderr).toBe(`created write token ${info!.id} for @ada; it is shown once:\n`);
    expect(info).toMatchObject({ name: 'nightly sync', scope: 'write' });
    const row = await t.db.selectFrom('api_tokens').select('token_hash').executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(token));
    expect((await tokenAccount(t.db, token, new Date()))?.account.handle).toBe('ada');

    const read = await cli('create', '@ada');
    expect(read.code).toBe(0);
    const list = await cli('list', 'ada');
    expect(list.stdout).not.toContain(token);
    expect(list.stdout).not.toContain(read.stdout.trim());
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.startsWith(info!.id))).toMatch(
      / {2}write {2}created \S+ \S+ {2}last used .*nightly sync$/,
    );
    expect(lines.some((l) => / {2}read {3}created \S+ \S+ {2}last used never {13}command line$/.test(l))).toBe(true);
    const json = JSON.parse((await cli('list', 'ada', '--json')).stdout) as { id: string; scope: string }[];
    expect(json.map((j) => j.scope).sort()).toEqual(['read', 'write']);

    expect((await cli('revoke', info!.id)).stdout).toBe(`revoked token ${info!.id} (nightly sync)\n`);
    expect(await tokenAccount(t.db, token, new Date())).toBeUndefined();
    const again = await cli('revoke', info!.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`No API token has the id “${info!.id}” (revoked already?)`);

    const audit = await auditEntries(t.db, { targetId: ada.id });
    expect(audit.map((e) => e.action).sort()).toEqual([
      'account.create',
      'token.create',
      'token.create',
      'token.revoke',
    ]);
    expect(audit.every((e) => e.actorId === null)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it('refuses an unknown account, a scope that does not exist and a banned account, with what to do', async () => {
    const nobody = await cli('create', 'nobody');
    expect(nobody).toMatchObject({ code: 1, stdout: '' });
    expect(nobody.stderr).toContain('No account has the handle or address “nobody”');
    const scope = await cli('create', 'bob', '--scope', 'admin');
    expect(scope.code).toBe(1);
    expect(scope.stderr).toContain('Allowed choices are read, write');
    expect((await runCli(['accounts', 'ban', 'bob'], t.env)).code).toBe(0);
    const banned = await cli('create', 'bob');
    expect(banned).toMatchObject({ code: 1, stdout: '' });
    expect(banned.stderr).toBe('paperboy: @bob is banned: a token of theirs would not work.\n');
    expect((await cli('list', 'nobody')).code).toBe(1);
  });
});
