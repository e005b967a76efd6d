import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { setBanned } from '../community/moderation.js';
import { hashToken } from '../crypto/tokens.js';
import { accountForEmail } from './accounts.js';
import {
  createApiToken,
  LAST_USED_EVERY_MS,
  listApiTokens,
  MAX_TOKENS_PER_ACCOUNT,
  revokeApiToken,
  TOKEN_LENGTH,
  tokenAccount,
} from './api-tokens.js';
import { setVote, toggleVote } from './votes.js';

const NOW = new Date('2026-07-01T09:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);
const PAPER = '2607.00001';

describe.each(engines)('API tokens on %s', (engine) => {
  let t: TestStore;

  beforeAll(async () => {
    t = await freshStore(engine);
    await t.store.upsertPapers([
      { id: PAPER, source: 'hf-daily', title: 'A paper', abstract: 'x', dailyOn: '2026-06-30', upvotes: 5 },
    ]);
  });
  afterAll(() => t.dispose());

  const account = async (email: string) => (await accountForEmail(t.db, email, NOW)).account;

  it('makes a token shown once and keeps only its hash; lists and revokes it', async () => {
    const ada = await account('ada@example.org');
    const { token, info } = await createApiToken(t.db, ada.id, { name: '  my\tscript\n', scope: 'write' }, NOW);
    expect(token).toMatch(/^pb_[A-Za-z0-9_-]{43}$/);
    expect(token).toHaveLength(TOKEN_LENGTH);
    expect(info).toEqual({
      id: info.id,
      accountId: ada.id,
      name: 'my script',
      scope: 'write',
      createdAt: NOW.toISOString(),
      lastUsedAt: null,
    });
    const rows = await t.db.selectFrom('api_tokens').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token.slice(3));

    const found = await tokenAccount(t.db, token, NOW);
    expect(found?.account.id).toBe(ada.id);
    expect(found?.token).toMatchObject({ id: info.id, scope: 'write' });
    expect(await listApiTokens(t.db, ada.id)).toEqual([{ ...info, lastUsedAt: NOW.toISOString() }]);

    // Another account cannot revoke it; its owner can, and it fails at once.
    const bob = await account('bob@example.org');
    expect(await revokeApiToken(t.db, info.id, bob.id)).toBeUndefined();
    expect((await revokeApiToken(t.db, info.id, ada.id))?.id).toBe(info.id);
    expect(await tokenAccount(t.db, token, NOW)).toBeUndefined();
    expect(await revokeApiToken(t.db, info.id)).toBeUndefined();
    expect(await listApiTokens(t.db, ada.id)).toEqual([]);
  });

  it('gives a name when none is given and refuses a long one', async () => {
    const ann = await account('ann@example.org');
    expect((await createApiToken(t.db, ann.id, { scope: 'read' }, NOW)).info.name).toBe('API token');
    await expect(createApiToken(t.db, ann.id, { name: 'x'.repeat(81), scope: 'read' }, NOW)).rejects.toMatchObject({
      code: 'invalid',
    });
  });

  it('notes when a token was used, at most once a minute', async () => {
    const cy = await account('cy@example.org');
    const { token, info } = await createApiToken(t.db, cy.id, { name: 'cron', scope: 'read' }, NOW);
    const lastUsed = async () =>
      (await t.db.selectFrom('api_tokens').select('last_used_at').where('id', '=', info.id).executeTakeFirst())
        ?.last_used_at;
    await tokenAccount(t.db, token, later(1000));
    expect(await lastUsed()).toBe(later(1000).toISOString());
    await tokenAccount(t.db, token, later(30_000));
    expect(await lastUsed()).toBe(later(1000).toISOString());
    await tokenAccount(t.db, token, later(1000 + LAST_USED_EVERY_MS));
    expect(await lastUsed()).toBe(later(1000 + LAST_USED_EVERY_MS).toISOString());
  });

  it('refuses anything but one of its tokens before looking it up', async () => {
    const dee = await account('dee@example.org');
    const { token } = await createApiToken(t.db, dee.id, { name: 'x', scope: 'read' }, NOW);
    for (const bad of [
      '',
      'pb_',
      token.slice(0, -1),
      `${token}x`,
      `gh_${token.slice(3)}`,
      `PB_${token.slice(3)}`,
      `pb_${'!'.repeat(43)}`,
      `pb_${'A'.repeat(43)}`,
      'x'.repeat(100_000),
    ])
      expect(await tokenAccount(t.db, bad, NOW), bad.slice(0, 20)).toBeUndefined();
  });

  it(`keeps at most ${MAX_TOKENS_PER_ACCOUNT} tokens per account, even when asked at once`, async () => {
    const eve = await account('eve@example.org');
    const results = await Promise.allSettled(
      Array.from({ length: MAX_TOKENS_PER_ACCOUNT + 5 }, (_, i) =>
        createApiToken(t.db, eve.id, { name: `t${i}`, scope: 'read' }, NOW),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(MAX_TOKENS_PER_ACCOUNT);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toMatchObject({
      code: 'too-many',
      message: expect.stringContaining('Revoke one'),
    });
    expect(await listApiTokens(t.db, eve.id)).toHaveLength(MAX_TOKENS_PER_ACCOUNT);
  });

  it("stops a banned account's tokens: the ban revokes them, and a banned account's token never passes", async () => {
    const fay = await account('fay@example.org');
    const { token } = await createApiToken(t.db, fay.id, { name: 'x', scope: 'write' }, NOW);
    const { token: second } = await createApiToken(t.db, fay.id, { name: 'y', scope: 'read' }, NOW);
    // Banned by hand (no revocation): the lookup itself refuses the account.
    await t.db.updateTable('accounts').set({ banned_at: NOW.toISOString() }).where('id', '=', fay.id).execute();
    expect(await tokenAccount(t.db, token, NOW)).toBeUndefined();
    await expect(createApiToken(t.db, fay.id, { name: 'z', scope: 'read' }, NOW)).rejects.toMatchObject({
      code: 'not-found',
    });
    await t.db.updateTable('accounts').set({ banned_at: null }).where('id', '=', fay.id).execute();
    expect((await tokenAccount(t.db, token, NOW))?.account.id).toBe(fay.id);

    const result = await setBanned({ db: t.db, engine }, 'cli', fay.id, true, NOW);
    expect(result.changed).toBe(true);
    expect(await listApiTokens(t.db, fay.id)).toEqual([]);
    await setBanned({ db: t.db, engine }, 'cli', fay.id, false, NOW);
    expect(await tokenAccount(t.db, token, NOW)).toBeUndefined();
    expect(await tokenAccount(t.db, second, NOW)).toBeUndefined();
  });

  it('sets a vote as asked, whatever it was; the toggle still toggles', async () => {
    const gus = await account('gus@example.org');
    expect(await setVote(t.store, gus, PAPER, true, NOW)).toEqual({ upvoted: true, upvotes: 6 });
    expect(await setVote(t.store, gus, PAPER, true, NOW)).toEqual({ upvoted: true, upvotes: 6 });
    expect(await setVote(t.store, gus, PAPER, false, NOW)).toEqual({ upvoted: false, upvotes: 5 });
    expect(await setVote(t.store, gus, PAPER, false, NOW)).toEqual({ upvoted: false, upvotes: 5 });
    expect(await toggleVote(t.store, gus, PAPER, NOW)).toEqual({ upvoted: true, upvotes: 6 });
    expect(await toggleVote(t.store, gus, PAPER, NOW)).toEqual({ upvoted: false, upvotes: 5 });
    expect(await setVote(t.store, gus, '2607.09999', true, NOW)).toBeUndefined();
    expect((await t.store.getPaper(PAPER))?.communityUpvotes).toBe(0);
  });
});
