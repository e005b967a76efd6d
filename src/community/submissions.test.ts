import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { type Account, accountForEmail, getAccount, updateProfile } from '../accounts/accounts.js';
import { Refusal } from '../model/refusal.js';
import { followHandle, parseSubmission, submissionRecord, submissionsOf, submitPaper } from './submissions.js';

describe('parseSubmission', () => {
  it.each([
    ['2501.12345', { id: '2501.12345', version: undefined }],
    ['  2501.12345v3 ', { id: '2501.12345', version: 3 }],
    ['arXiv:2501.1234', { id: '2501.1234', version: undefined }],
    ['https://arxiv.org/abs/2501.12345v2', { id: '2501.12345', version: 2 }],
    ['http://export.arxiv.org/pdf/2501.12345v1.pdf', { id: '2501.12345', version: 1 }],
    ['arxiv.org/html/2501.12345v1', { id: '2501.12345', version: 1 }],
    ['www.arxiv.org/abs/2501.12345?context=cs', { id: '2501.12345', version: undefined }],
    ['https://huggingface.co/papers/2501.12345', { id: '2501.12345', version: undefined }],
    ['hep-th/9901001', { id: 'hep-th/9901001', version: undefined }],
    ['https://arxiv.org/abs/hep-th/9901001v2', { id: 'hep-th/9901001', version: 2 }],
    ['https://arxiv.org/pdf/math.AG/0601001', { id: 'math.AG/0601001', version: undefined }],
  ])('reads %s', (input, expected) => {
    expect(parseSubmission(input)).toEqual(expected);
  });

  it.each(['', '12345', '2501.123', 'https://example.org/abs/2501.12345', '<b>2501.12345</b>', 'javascript:alert(1)'])(
    'refuses %j',
    (input) => {
      expect(parseSubmission(input)).toBeUndefined();
    },
  );
});

describe.each(engines)('submissions in the store on %s', (engine) => {
  let t: TestStore;
  let account: Account;
  const now = new Date('2026-07-03T09:00:00Z');
  const deps = () => ({ store: t.store, db: t.db });

  beforeAll(async () => {
    t = await freshStore(engine);
    await t.store.upsertPapers([
      {
        id: '2607.00001',
        source: 'arxiv-api',
        version: 1,
        title: 'A stored paper',
        abstract: 'a',
        submittedAt: '2026-07-01T10:00:00Z',
        listedOn: '2026-07-02',
      },
      {
        id: '2607.00002',
        source: 'arxiv-api',
        version: 1,
        title: 'Another stored paper',
        abstract: 'b',
        submittedAt: '2026-07-01T10:00:00Z',
        listedOn: '2026-07-02',
      },
      {
        id: '2607.00003',
        source: 'arxiv-api',
        version: 1,
        title: 'Only on this site',
        abstract: 'c',
        submittedAt: '2026-07-01T10:00:00Z',
      },
    ]);
    ({ account } = await accountForEmail(t.db, 'ada@example.org', now));
  });
  afterAll(() => t.dispose());

  it("adds only the feed day and the submitter: the earliest feed day wins, bibliographic fields stay arXiv's", async () => {
    await t.store.upsertPapers([submissionRecord('2607.00002', '2026-07-03', 'someone')]);
    const paper = (await t.store.getPaper('2607.00002'))!;
    expect(paper).toMatchObject({
      title: 'Another stored paper',
      abstract: 'b',
      dailyOn: '2026-07-03',
      submittedBy: 'someone',
    });
    expect(paper.provenance).toMatchObject({ title: 'arxiv-api', dailyOn: 'community', submittedBy: 'community' });
    expect((await t.store.listPapers({ from: '2026-07-03', to: '2026-07-03' })).map((p) => p.id)).toEqual([
      '2607.00002',
    ]);

    await t.store.upsertPapers([
      { ...submissionRecord('2607.00002', '2026-07-05', 'someone'), title: 'Renamed by a reader', abstract: 'spam' },
    ]);
    expect(await t.store.getPaper('2607.00002')).toMatchObject({
      title: 'Another stored paper',
      abstract: 'b',
      dailyOn: '2026-07-03',
    });
  });

  it('refuses a banned account, a paper it cannot fetch without a fetcher, and a paper the curators removed', async () => {
    const banned = { ...account, bannedAt: now.toISOString() };
    await expect(submitPaper(deps(), banned, '2607.00001', now)).rejects.toMatchObject({ code: 'forbidden' });
    const noFetcher = submitPaper(deps(), account, '2607.09999', now);
    await expect(noFetcher).rejects.toBeInstanceOf(Refusal);
    await expect(noFetcher).rejects.toMatchObject({
      code: 'unavailable',
      message:
        '2607.09999 is not on this site, and this server does not fetch papers from arXiv. Ask its admins to import it.',
    });
    await t.store.upsertPapers([
      {
        id: '2607.00004',
        source: 'arxiv-api',
        version: 1,
        title: 'Spam',
        abstract: 'd',
        submittedAt: '2026-07-01T10:00:00Z',
      },
    ]);
    await t.db.updateTable('papers').set({ hidden_at: now.toISOString() }).where('id', '=', '2607.00004').execute();
    await expect(submitPaper(deps(), account, '2607.00004', now)).rejects.toMatchObject({ code: 'removed' });
    expect(await t.db.selectFrom('submissions').selectAll().execute()).toEqual([]);
  });

  it("lists the account's submissions and moves them to a new handle, leaving a Hugging Face submitter alone", async () => {
    expect(await submitPaper(deps(), account, '2607.00001', now)).toBe('2607.00001');
    expect(
      await submitPaper(deps(), account, 'https://arxiv.org/abs/2607.00003', new Date('2026-07-04T09:00:00Z')),
    ).toBe('2607.00003');
    await expect(submitPaper(deps(), account, '2607.00001', now)).rejects.toMatchObject({
      code: 'already-submitted',
      paperId: '2607.00001',
    });
    expect((await submissionsOf(t.db, account.id)).map((p) => p.id)).toEqual(['2607.00003', '2607.00001']);
    // Hugging Face names its own submitter for one of them later.
    await t.store.upsertPapers([
      { id: '2607.00003', source: 'hf-daily', title: 'Only on this site', abstract: 'c', submittedBy: 'akhaliq' },
    ]);

    await updateProfile(t.db, account.id, { handle: 'ada_l', displayName: 'Ada' }, now);
    expect(await followHandle(deps(), account.id, 'ada_l')).toBe(1);
    expect((await t.store.getPaper('2607.00001'))!.submittedBy).toBe('ada_l');
    expect((await t.store.getPaper('2607.00003'))!.submittedBy).toBe('akhaliq');
    expect((await t.store.getPaper('2607.00001'))!.dailyOn).toBe('2026-07-03');
    expect(await followHandle(deps(), account.id, 'ada_l')).toBe(0);
    expect((await getAccount(t.db, account.id))!.handle).toBe('ada_l');
  });
});
