import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { type Account, accountForEmail, getAccount, type Role } from '../accounts/accounts.js';
import { createSession, sessionAccount } from '../accounts/sessions.js';
import { Refusal } from '../model/refusal.js';
import { auditEntries } from '../store/audit.js';
import { deleteExpired } from './cleanup.js';
import { curatePaper } from './curation.js';
import { createAccount, findAccount, type ModerationDb, setBanned, setRole } from './moderation.js';

const NOW = new Date('2026-07-01T09:00:00Z');
const DAY = '2026-06-30';

describe.each(engines)('curation and moderation on %s', (engine) => {
  let t: TestStore;
  let m: ModerationDb;
  let n = 0;
  const account = async (role: Role): Promise<Account> => {
    const { account } = await accountForEmail(t.db, `${role}${n++}@example.org`, NOW);
    await t.db.updateTable('accounts').set({ role }).where('id', '=', account.id).execute();
    return { ...account, role };
  };
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => (e instanceof Refusal ? e.code : String(e)),
    );

  beforeAll(async () => {
    t = await freshStore(engine);
    m = { db: t.db, engine };
    await t.store.upsertPapers([
      {
        id: '2606.00001',
        source: 'hf-daily',
        title: 'A useful paper',
        abstract: 'Real results.',
        dailyOn: DAY,
        upvotes: 4,
      },
      { id: '2606.00002', source: 'hf-daily', title: 'Buy cheap watches', abstract: 'Spam.', dailyOn: DAY, upvotes: 9 },
      {
        id: '2606.00003',
        source: 'hf-daily',
        title: 'A paper from the day before',
        abstract: 'Earlier.',
        dailyOn: '2026-06-29',
        upvotes: 1,
      },
    ]);
  });
  afterAll(() => t.dispose());

  it('refuses a member and changes nothing; a curator hides a paper, recorded once, and it leaves every list', async () => {
    const member = await account('member');
    const curator = await account('curator');
    const changes: string[][] = [];
    const off = t.store.onPapersChanged(({ ids }) => changes.push(ids));

    expect(await refusal(curatePaper(t.store, member, '2606.00002', 'hide', NOW))).toBe('forbidden');
    expect((await t.store.getPaper('2606.00002'))?.hiddenAt).toBeNull();
    expect(await auditEntries(t.db, { targetId: '2606.00002' })).toEqual([]);

    const { changed } = await curatePaper(t.store, curator, '2606.00002', 'hide', NOW);
    expect(changed).toBe(true);
    expect((await curatePaper(t.store, curator, '2606.00002', 'hide', new Date(NOW.getTime() + 1000))).changed).toBe(
      false,
    );
    off();
    expect(changes).toEqual([['2606.00002']]);
    const audit = await auditEntries(t.db, { targetId: '2606.00002' });
    expect(audit).toMatchObject([{ actorId: curator.id, action: 'paper.hide', targetType: 'paper' }]);

    expect(await t.store.getPaper('2606.00002')).toBeUndefined();
    expect((await t.store.getPaper('2606.00002', { hidden: true }))?.hiddenAt).toBe(NOW.toISOString());
    expect((await t.store.listPapers({ from: DAY, to: DAY })).map((p) => p.id)).toEqual(['2606.00001']);
    expect(await t.store.countPapers({ from: DAY, to: DAY })).toBe(1);
    expect(await t.store.dayCounts(DAY, DAY)).toEqual([{ day: DAY, count: 1 }]);
    expect((await t.store.getPapers(['2606.00002', '2606.00001'])).map((p) => p.id)).toEqual(['2606.00001']);

    // An import that brings the paper again leaves it hidden.
    await t.store.upsertPapers([
      {
        id: '2606.00002',
        source: 'hf-daily',
        title: 'Buy cheap watches',
        abstract: 'Spam!',
        dailyOn: DAY,
        upvotes: 10,
      },
    ]);
    expect(await t.store.getPaper('2606.00002')).toBeUndefined();

    await curatePaper(t.store, curator, '2606.00002', 'unhide', NOW);
    expect(await t.store.countPapers({ from: DAY, to: DAY })).toBe(2);
  });

  it('features a paper for a day and locks its thread; refuses a day that is not one and an unknown paper', async () => {
    const curator = await account('curator');
    expect(await refusal(curatePaper(t.store, curator, '2606.00003', 'feature', NOW, '2026-02-30'))).toBe('invalid');
    expect(await refusal(curatePaper(t.store, curator, '2699.99999', 'lock', NOW))).toBe('not-found');

    await curatePaper(t.store, curator, '2606.00003', 'feature', NOW, DAY);
    expect((await t.store.listPapers({ featuredOn: DAY })).map((p) => p.id)).toEqual(['2606.00003']);
    expect(await t.store.listPapers({ featuredOn: '2026-06-29' })).toEqual([]);
    await curatePaper(t.store, curator, '2606.00003', 'lock', NOW);
    const paper = await t.store.getPaper('2606.00003');
    expect(paper).toMatchObject({ featuredOn: DAY, commentsLockedAt: NOW.toISOString() });
    expect((await auditEntries(t.db, { targetId: '2606.00003' })).map((e) => [e.action, e.detail])).toEqual(
      expect.arrayContaining([
        ['paper.feature', { day: DAY }],
        ['paper.lock', {}],
      ]),
    );

    await curatePaper(t.store, curator, '2606.00003', 'unfeature', NOW);
    await curatePaper(t.store, curator, '2606.00003', 'unlock', NOW);
    expect(await t.store.getPaper('2606.00003')).toMatchObject({ featuredOn: null, commentsLockedAt: null });

    // A paper hidden as spam is not featured.
    await curatePaper(t.store, curator, '2606.00003', 'hide', NOW);
    expect(await refusal(curatePaper(t.store, curator, '2606.00003', 'feature', NOW, DAY))).toBe('invalid');
    await curatePaper(t.store, curator, '2606.00003', 'unhide', NOW);
    expect(await t.store.getPaper('2606.00003')).toMatchObject({ featuredOn: null, hiddenAt: null });
  });

  it('lets only admins set roles, and never demotes the last admin', async () => {
    const admin = await account('admin');
    const curator = await account('curator');
    const member = await account('member');
    expect(await refusal(setRole(m, curator, member.id, 'curator', NOW))).toBe('forbidden');
    expect((await getAccount(t.db, member.id))?.role).toBe('member');

    expect((await setRole(m, admin, member.id, 'curator', NOW)).account.role).toBe('curator');
    expect(await auditEntries(t.db, { targetType: 'account', targetId: member.id })).toMatchObject([
      { actorId: admin.id, action: 'account.role', detail: { from: 'member', to: 'curator' } },
    ]);

    // Earlier tests made no other admin: this one is the last.
    expect(await refusal(setRole(m, admin, admin.id, 'member', NOW))).toBe('last-admin');
    expect(await refusal(setRole(m, 'cli', admin.id, 'curator', NOW))).toBe('last-admin');
    expect((await getAccount(t.db, admin.id))?.role).toBe('admin');

    const second = await account('admin');
    expect((await setRole(m, admin, admin.id, 'member', NOW)).changed).toBe(true);
    // Both demoted at once: one of them must stay.
    const third = await account('admin');
    const results = await Promise.allSettled([
      setRole(m, 'cli', second.id, 'member', NOW),
      setRole(m, 'cli', third.id, 'member', NOW),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const admins = await t.db.selectFrom('accounts').select('id').where('role', '=', 'admin').execute();
    expect(admins).toHaveLength(1);
  });

  it('bans: ends every session at once and refuses an admin; unbans', async () => {
    const admin = await account('admin');
    const member = await account('member');
    const tokens = [await createSession(t.db, member.id, NOW), await createSession(t.db, member.id, NOW)];
    expect(await refusal(setBanned(m, await account('curator'), member.id, true, NOW))).toBe('forbidden');
    expect(await sessionAccount(t.db, tokens[0]!, NOW)).toBeDefined();

    const result = await setBanned(m, admin, member.id, true, NOW);
    expect(result).toMatchObject({ changed: true, sessionsEnded: 2 });
    for (const token of tokens) expect(await sessionAccount(t.db, token, NOW)).toBeUndefined();
    expect(await refusal(setBanned(m, admin, admin.id, true, NOW))).toBe('is-admin');
    expect((await getAccount(t.db, admin.id))?.bannedAt).toBeNull();
    expect(await refusal(setRole(m, admin, member.id, 'admin', NOW))).toBe('invalid');

    await setBanned(m, admin, member.id, false, NOW);
    expect((await getAccount(t.db, member.id))?.bannedAt).toBeNull();
    expect((await auditEntries(t.db, { targetId: member.id })).map((e) => e.action).sort()).toEqual([
      'account.ban',
      'account.unban',
    ]);
  });

  it('creates accounts from the command line: the first is an admin, the next members; finds them by handle or email', async () => {
    const first = await createAccount(m, 'cli', { email: 'Ada@Example.org' }, NOW);
    expect(first).toMatchObject({ email: 'ada@example.org', handle: 'ada', role: 'admin', origin: 'cli' });
    const second = await createAccount(m, 'cli', { email: 'editor@example.org', handle: '@Editor' }, NOW);
    expect(second).toMatchObject({ handle: 'editor', role: 'member', origin: 'cli' });
    expect(await refusal(createAccount(m, 'cli', { email: 'editor@example.org' }, NOW))).toBe('exists');
    expect(await refusal(createAccount(m, 'cli', { email: 'x@example.org', handle: 'editor' }, NOW))).toBe('exists');
    expect(await refusal(createAccount(m, 'cli', { email: 'not an address' }, NOW))).toBe('invalid');
    expect(await refusal(createAccount(m, await account('curator'), { email: 'y@example.org' }, NOW))).toBe(
      'forbidden',
    );
    expect((await findAccount(t.db, '@editor'))?.id).toBe(second.id);
    expect((await findAccount(t.db, 'EDITOR@example.org'))?.id).toBe(second.id);
    expect(await auditEntries(t.db, { targetId: first.id })).toMatchObject([
      { actorId: null, action: 'account.create' },
    ]);
  });

  it('deletes expired sign-in links and sessions, and keeps the live ones', async () => {
    const member = await account('member');
    const live = await createSession(t.db, member.id, NOW);
    const old = await createSession(t.db, member.id, new Date(NOW.getTime() - 31 * 86_400_000));
    const link = (hash: string, expires: Date) => ({
      token_hash: hash,
      email: 'a@example.org',
      nonce_hash: 'n',
      return_to: '/',
      created_at: NOW.toISOString(),
      expires_at: expires.toISOString(),
      used_at: null,
    });
    await t.db
      .insertInto('signin_links')
      .values([link('expired', new Date(NOW.getTime() - 1000)), link('live', new Date(NOW.getTime() + 60_000))])
      .execute();
    await t.db
      .insertInto('signin_addresses')
      .values([
        { email: 'long-ago@example.org', asked_at: new Date(NOW.getTime() - 16 * 60_000).toISOString() },
        { email: 'just-now@example.org', asked_at: new Date(NOW.getTime() - 60_000).toISOString() },
      ])
      .execute();

    const deleted = await deleteExpired(t.db, NOW);
    expect(deleted.links).toBe(1);
    expect(deleted.sessions).toBe(1);
    expect(await sessionAccount(t.db, live, NOW)).toBeDefined();
    expect(await sessionAccount(t.db, old, new Date(NOW.getTime() - 2 * 86_400_000))).toBeUndefined();
    expect((await t.db.selectFrom('signin_links').select('token_hash').execute()).map((r) => r.token_hash)).toEqual([
      'live',
    ]);
    expect((await t.db.selectFrom('signin_addresses').select('email').execute()).map((r) => r.email)).toEqual([
      'just-now@example.org',
    ]);
  });
});
