import type { Kysely } from 'kysely';
import { hashToken, randomId, randomToken } from '../crypto/tokens.js';
import { messageId, noticeHtml } from '../mail/notice.js';
import { enqueue } from '../mail/outbox.js';
import type { Database } from '../store/schema.js';

/** A sign-in link works once, for this long, in the browser that asked for it. */
export const LINK_MINUTES = 15;
/** Links mailed to one address per LINK_MINUTES; past it requests are answered the same but nothing is sent. */
export const LINKS_PER_ADDRESS = 3;

type Db = Kysely<Database>;

export type LinkCheck =
  | { ok: true; email: string; returnTo: string }
  | { ok: false; reason: 'unknown' | 'other-browser' };

/**
 * Records a link for `email`, bound to the hash of the asking browser's nonce cookie, and queues its mail.
 * Returns false (nothing queued) when the address already got LINKS_PER_ADDRESS links in the last LINK_MINUTES.
 */
export async function requestSigninLink(
  db: Db,
  req: { email: string; nonce: string; returnTo: string; baseUrl: string },
  now: Date,
): Promise<boolean> {
  const since = new Date(now.getTime() - LINK_MINUTES * 60_000).toISOString();
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('signin_addresses')
      .values({ email: req.email, asked_at: now.toISOString() })
      .onConflict((oc) => oc.column('email').doUpdateSet({ asked_at: now.toISOString() }))
      .execute();
    const recent = await trx
      .selectFrom('signin_links')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('email', '=', req.email)
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= LINKS_PER_ADDRESS) return false;
    const { token, hash } = randomToken();
    const expires = new Date(now.getTime() + LINK_MINUTES * 60_000).toISOString();
    await trx
      .insertInto('signin_links')
      .values({
        token_hash: hash,
        email: req.email,
        nonce_hash: hashToken(req.nonce),
        return_to: req.returnTo,
        created_at: now.toISOString(),
        expires_at: expires,
        used_at: null,
      })
      .execute();
    const id = randomId();
    const href = `${req.baseUrl}/signin/verify?token=${encodeURIComponent(token)}`;
    const lines = [
      `Someone, hopefully you, asked to sign in to Paperboy at ${req.baseUrl} as ${req.email}.`,
      `The link works once, in the same browser, for ${LINK_MINUTES} minutes. If it was not you, ignore this mail: nobody can sign in without it.`,
    ];
    await enqueue(
      trx,
      {
        id,
        idempotencyKey: `signin:${id}`,
        subscriberId: null,
        kind: 'notice',
        to: req.email,
        subject: 'Your Paperboy sign-in link',
        text: `${lines.join('\n\n')}\n\nSign in: ${href}\n`,
        html: noticeHtml(lines, { href, label: 'Sign in to Paperboy' }),
        messageId: messageId(id, req.baseUrl),
      },
      now,
    );
    return true;
  });
}

/** Whether a link can still be used from this browser, without using it (the page a mail scanner sees). */
export async function checkSigninLink(db: Db, token: string, nonce: string | undefined, now: Date): Promise<LinkCheck> {
  const row = await db
    .selectFrom('signin_links')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'unknown' };
  if (!nonce || hashToken(nonce) !== row.nonce_hash) return { ok: false, reason: 'other-browser' };
  return { ok: true, email: row.email, returnTo: row.return_to };
}

/** Uses the link: one UPDATE that only an unused, unexpired link from the right browser passes, so it works once. */
export async function useSigninLink(db: Db, token: string, nonce: string | undefined, now: Date): Promise<LinkCheck> {
  if (!nonce) return checkSigninLink(db, token, nonce, now);
  const row = await db
    .updateTable('signin_links')
    .set({ used_at: now.toISOString() })
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .where('nonce_hash', '=', hashToken(nonce))
    .returning(['email', 'return_to'])
    .executeTakeFirst();
  if (!row) return checkSigninLink(db, token, nonce, now);
  return { ok: true, email: row.email, returnTo: row.return_to };
}
