import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

const NAME = 'signing-secret';

/** Keeps `fresh` as the signing secret unless one is kept already; answers the one kept. */
export async function keepSigningSecret(db: Kysely<Database>, fresh: string): Promise<string> {
  await db
    .insertInto('app_secrets')
    .values({ name: NAME, value: fresh, created_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('app_secrets').select('value').where('name', '=', NAME).executeTakeFirstOrThrow();
  return row.value;
}
