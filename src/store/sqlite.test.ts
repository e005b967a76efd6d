import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore, type TestStore } from '../../test/stores.js';

describe('the SQLite store beside another process', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await freshStore('sqlite');
    await t.store.upsertPapers([{ id: '2607.00001', source: 'arxiv-api', version: 1, title: 'A', abstract: 'a' }]);
  });
  afterAll(() => t.dispose());

  it('finishes a transaction that read before another process wrote (the other waits its turn)', async () => {
    const file = `${t.env.PAPERBOY_DATA_DIR}/paperboy.db`;
    const other = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(${JSON.stringify(file)}); db.pragma('busy_timeout = 5000');
         db.prepare("UPDATE papers SET upvotes = upvotes + 1 WHERE id = '2607.00001'").run(); db.close();`,
      ],
      { stdio: 'inherit' },
    );
    const ended = new Promise<number | null>((resolve) => other.on('close', resolve));
    await t.store.transaction(async (trx) => {
      await trx.selectFrom('papers').select('upvotes').execute();
      await Promise.race([ended, sleep(1500)]);
      await trx.updateTable('papers').set({ num_comments: 7 }).where('id', '=', '2607.00001').execute();
    });
    expect(await ended).toBe(0);
    const row = await t.db.selectFrom('papers').select(['upvotes', 'num_comments']).executeTakeFirstOrThrow();
    expect(row).toEqual({ upvotes: 1, num_comments: 7 });
  });
});
