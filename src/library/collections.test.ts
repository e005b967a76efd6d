import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { type Account, accountForEmail } from '../accounts/accounts.js';
import { Refusal } from '../model/refusal.js';
import {
  addPaper,
  COLLECTION_NAME_MAX,
  collectionPapers,
  collectionsWith,
  createCollection,
  deleteCollection,
  listCollections,
  movePaper,
  NOTE_MAX,
  ownCollection,
  publicCollections,
  removePaper,
  SAVED_NAME,
  savedAmong,
  savedCollection,
  setNote,
  sharedCollection,
  toggleSaved,
  updateCollection,
  viewableCollection,
} from './collections.js';

const NOW = new Date('2026-07-01T09:00:00Z');
const IDS = ['2606.00001', '2606.00002', '2606.00003', 'hep-th/9901001'];

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Refusal)) throw new Error(`expected a Refusal, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe.each(engines)('the library on %s', (engine) => {
  let t: TestStore;
  let ada: Account;
  let bob: Account;

  beforeAll(async () => {
    t = await freshStore(engine);
    await t.store.upsertPapers(
      IDS.map((id, i) => ({
        id,
        source: 'arxiv-api' as const,
        title: `Paper ${i}`,
        abstract: 'x',
        listedOn: '2026-06-30',
      })),
    );
    ada = (await accountForEmail(t.db, 'ada@example.org', NOW)).account;
    bob = (await accountForEmail(t.db, 'bob@example.org', NOW)).account;
  });
  afterAll(() => t?.dispose());

  const order = async (id: string) => (await collectionPapers(t.db, id)).map((i) => i.paper.id);

  it('keeps one reading list per account, made on first use, even when asked for twice at once', async () => {
    const [a, b] = await Promise.all([savedCollection(t.db, ada.id, NOW), savedCollection(t.db, ada.id, NOW)]);
    expect(a.id).toBe(b.id);
    expect(a).toMatchObject({ kind: 'saved', name: SAVED_NAME, visibility: 'private', shareId: null });
    const rows = await t.db.selectFrom('collections').selectAll().where('account_id', '=', ada.id).execute();
    expect(rows).toHaveLength(1);
  });

  it('saves and unsaves a paper with one toggle, and says which papers are saved', async () => {
    expect(await toggleSaved(t.db, ada.id, IDS[0]!, NOW)).toEqual({ saved: true });
    expect(await toggleSaved(t.db, ada.id, IDS[1]!, NOW)).toEqual({ saved: true });
    expect(await toggleSaved(t.db, ada.id, IDS[0]!, NOW)).toEqual({ saved: false });
    expect([...(await savedAmong(t.db, ada.id, IDS))]).toEqual([IDS[1]]);
    expect((await savedAmong(t.db, bob.id, IDS)).size).toBe(0);
    expect((await refusal(toggleSaved(t.db, ada.id, '2999.99999', NOW))).code).toBe('not-found');
  });

  it('creates, renames, shares and deletes named collections; the reading list keeps its name and stays', async () => {
    const col = await createCollection(t.db, ada.id, { name: '  Reading\ngroup \u0007 ' }, NOW);
    expect(col).toMatchObject({ name: 'Reading group', kind: 'named', visibility: 'private', shareId: null });
    const renamed = await updateCollection(t.db, ada.id, col.id, { name: 'Thesis' }, NOW);
    expect(renamed.name).toBe('Thesis');
    expect((await refusal(createCollection(t.db, ada.id, { name: ' \n ' }, NOW))).code).toBe('invalid');
    const long = await refusal(createCollection(t.db, ada.id, { name: 'x'.repeat(COLLECTION_NAME_MAX + 1) }, NOW));
    expect(long.message).toContain(`at most ${COLLECTION_NAME_MAX}`);
    expect((await refusal(createCollection(t.db, ada.id, { name: 'x', visibility: 'everyone' }, NOW))).code).toBe(
      'invalid',
    );

    const saved = await savedCollection(t.db, ada.id, NOW);
    expect((await refusal(updateCollection(t.db, ada.id, saved.id, { name: 'Mine' }, NOW))).code).toBe('invalid');
    expect((await refusal(deleteCollection(t.db, ada.id, saved.id))).code).toBe('invalid');
    expect((await listCollections(t.db, ada.id)).map((c) => [c.name, c.papers])).toEqual([
      ['Saved', 1],
      ['Thesis', 0],
    ]);

    await addPaper(t.db, ada.id, col.id, IDS[2]!, NOW, 'my note');
    await deleteCollection(t.db, ada.id, col.id);
    expect((await refusal(ownCollection(t.db, ada.id, col.id))).code).toBe('not-found');
    expect(
      await t.db.selectFrom('collection_papers').selectAll().where('collection_id', '=', col.id).execute(),
    ).toEqual([]);
    // The papers stay on the site.
    expect(await t.store.getPaper(IDS[2]!)).toBeDefined();
  });

  it('lets only the owner see a private collection; a link opens it while shared; public is open to all', async () => {
    const col = await createCollection(t.db, ada.id, { name: 'Private things' }, NOW);
    await addPaper(t.db, ada.id, col.id, IDS[0]!, NOW);
    expect(await viewableCollection(t.db, ada.id, col.id)).toMatchObject({ id: col.id, ownerHandle: ada.handle });
    expect(await viewableCollection(t.db, bob.id, col.id)).toBeUndefined();
    expect(await viewableCollection(t.db, undefined, col.id)).toBeUndefined();

    // Bob can change nothing in it: to him it does not exist.
    for (const attempt of [
      () => addPaper(t.db, bob.id, col.id, IDS[1]!, NOW),
      () => removePaper(t.db, bob.id, col.id, IDS[0]!, NOW),
      () => setNote(t.db, bob.id, col.id, IDS[0]!, 'mine now', NOW),
      () => movePaper(t.db, bob.id, col.id, IDS[0]!, 'down', NOW),
      () => updateCollection(t.db, bob.id, col.id, { visibility: 'public' }, NOW),
      () => deleteCollection(t.db, bob.id, col.id),
    ])
      expect((await refusal(attempt())).code).toBe('not-found');
    expect(await order(col.id)).toEqual([IDS[0]]);

    const linked = await updateCollection(t.db, ada.id, col.id, { visibility: 'link' }, NOW);
    expect(linked.shareId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await sharedCollection(t.db, linked.shareId!))?.id).toBe(col.id);
    // Shared by link is not public: its own address stays closed to others.
    expect(await viewableCollection(t.db, bob.id, col.id)).toBeUndefined();
    const renewed = await updateCollection(t.db, ada.id, col.id, { newLink: true }, NOW);
    expect(renewed.shareId).not.toBe(linked.shareId);
    expect(await sharedCollection(t.db, linked.shareId!)).toBeUndefined();
    expect((await sharedCollection(t.db, renewed.shareId!))?.id).toBe(col.id);

    await updateCollection(t.db, ada.id, col.id, { visibility: 'public' }, NOW);
    expect((await viewableCollection(t.db, bob.id, col.id))?.id).toBe(col.id);
    expect((await viewableCollection(t.db, undefined, col.id))?.id).toBe(col.id);
    expect((await publicCollections(t.db, ada.id)).map((c) => c.id)).toEqual([col.id]);

    const closed = await updateCollection(t.db, ada.id, col.id, { visibility: 'private' }, NOW);
    expect(closed.shareId).toBeNull();
    expect(await sharedCollection(t.db, renewed.shareId!)).toBeUndefined();
    expect(await viewableCollection(t.db, bob.id, col.id)).toBeUndefined();
    expect(await sharedCollection(t.db, 'not a share id')).toBeUndefined();
  });

  it('hides the public collections of a banned account', async () => {
    const col = await createCollection(t.db, bob.id, { name: 'Bob public', visibility: 'public' }, NOW);
    expect((await viewableCollection(t.db, ada.id, col.id))?.id).toBe(col.id);
    await t.db.updateTable('accounts').set({ banned_at: NOW.toISOString() }).where('id', '=', bob.id).execute();
    expect(await viewableCollection(t.db, ada.id, col.id)).toBeUndefined();
    expect(await sharedCollection(t.db, col.shareId!)).toBeUndefined();
    await t.db.updateTable('accounts').set({ banned_at: null }).where('id', '=', bob.id).execute();
  });

  it('adds papers at the end, once each, moves them up, down and to a place, and takes them out', async () => {
    const col = await createCollection(t.db, ada.id, { name: 'Order' }, NOW);
    for (const id of IDS) expect(await addPaper(t.db, ada.id, col.id, id, NOW)).toBe(true);
    expect(await addPaper(t.db, ada.id, col.id, IDS[0]!, NOW)).toBe(false);
    expect(await order(col.id)).toEqual(IDS);
    await movePaper(t.db, ada.id, col.id, IDS[2]!, 'up', NOW);
    expect(await order(col.id)).toEqual([IDS[0], IDS[2], IDS[1], IDS[3]]);
    await movePaper(t.db, ada.id, col.id, IDS[0]!, 'up', NOW); // already first
    await movePaper(t.db, ada.id, col.id, IDS[0]!, 'down', NOW);
    expect(await order(col.id)).toEqual([IDS[2], IDS[0], IDS[1], IDS[3]]);
    expect(await movePaper(t.db, ada.id, col.id, IDS[3]!, 0, NOW)).toBe(0);
    expect(await movePaper(t.db, ada.id, col.id, IDS[2]!, 99, NOW)).toBe(3);
    expect(await order(col.id)).toEqual([IDS[3], IDS[0], IDS[1], IDS[2]]);
    expect((await collectionPapers(t.db, col.id)).map((i) => i.position)).toEqual([0, 1, 2, 3]);
    expect(await removePaper(t.db, ada.id, col.id, IDS[0]!, NOW)).toBe(true);
    expect(await removePaper(t.db, ada.id, col.id, IDS[0]!, NOW)).toBe(false);
    expect(await order(col.id)).toEqual([IDS[3], IDS[1], IDS[2]]);
    expect([...(await collectionsWith(t.db, ada.id, IDS[1]!))]).toContain(col.id);
    expect((await refusal(movePaper(t.db, ada.id, col.id, IDS[0]!, 'up', NOW))).code).toBe('not-found');
    expect((await refusal(addPaper(t.db, ada.id, col.id, '2999.00001', NOW))).code).toBe('not-found');
  });

  it('keeps a note per paper, as plain text cleaned of control characters and capped', async () => {
    const col = await createCollection(t.db, ada.id, { name: 'Notes' }, NOW);
    await addPaper(t.db, ada.id, col.id, IDS[0]!, NOW);
    const note = await setNote(t.db, ada.id, col.id, IDS[0]!, '  Read §3\r\nagain\u0000\u001b[31m <b>twice</b>  ', NOW);
    expect(note).toBe('Read §3\nagain[31m <b>twice</b>');
    expect((await collectionPapers(t.db, col.id))[0]!.note).toBe(note);
    const long = await refusal(setNote(t.db, ada.id, col.id, IDS[0]!, 'x'.repeat(NOTE_MAX + 1), NOW));
    expect(long).toMatchObject({ code: 'invalid' });
    expect(long.message).toContain(`at most ${NOTE_MAX}`);
    expect(await setNote(t.db, ada.id, col.id, IDS[0]!, '🙂'.repeat(NOTE_MAX), NOW)).toHaveLength(NOTE_MAX * 2);
    expect((await refusal(setNote(t.db, ada.id, col.id, IDS[1]!, 'not in it', NOW))).code).toBe('not-found');
  });

  it('leaves out papers the curators hid, and refuses to add them', async () => {
    const col = await createCollection(t.db, ada.id, { name: 'Hidden' }, NOW);
    await addPaper(t.db, ada.id, col.id, IDS[1]!, NOW);
    await t.store.setCuration(IDS[1]!, { hiddenAt: NOW.toISOString() }, { actorId: null, action: 'hide', at: NOW });
    expect(await order(col.id)).toEqual([]);
    expect((await listCollections(t.db, ada.id)).find((c) => c.id === col.id)?.papers).toBe(0);
    expect((await refusal(addPaper(t.db, ada.id, col.id, IDS[1]!, NOW))).code).toBe('not-found');
    await t.store.setCuration(IDS[1]!, { hiddenAt: null }, { actorId: null, action: 'unhide', at: NOW });
    expect(await order(col.id)).toEqual([IDS[1]]);
  });
});
