import type { Kysely } from 'kysely';
import { randomId, type Signer } from '../crypto/tokens.js';
import { messageId, noticeHtml } from '../mail/notice.js';
import { enqueue } from '../mail/outbox.js';
import type { Database } from '../store/schema.js';
import { subscriberLinks } from './links.js';
import { CONFIRM_HOURS, type Subscriber } from './subscribers.js';

interface NoticeDeps {
  db: Kysely<Database>;
  signer: Signer;
  baseUrl: string;
}

/** The double opt-in mail: nothing is sent to the address until its owner follows this link. */
export async function queueConfirmation(deps: NoticeDeps, s: Subscriber, token: string, now: Date): Promise<void> {
  const id = randomId();
  const href = `${deps.baseUrl}/subscribe/confirm?token=${encodeURIComponent(token)}`;
  const lines = [
    `Someone, hopefully you, asked for Paperboy's ${s.frequency === 'weekly' ? 'weekly' : 'daily'} papers digest at ${deps.baseUrl} to be sent to ${s.email}.`,
    `Confirm within ${CONFIRM_HOURS} hours to start receiving it. If it was not you, ignore this mail: nothing more will be sent.`,
  ];
  await enqueue(
    deps.db,
    {
      id,
      idempotencyKey: `confirm:${s.id}:${id}`,
      subscriberId: s.id,
      kind: 'confirm',
      to: s.email,
      subject: 'Confirm your Paperboy subscription',
      text: `${lines.join('\n\n')}\n\nConfirm: ${href}\n`,
      html: noticeHtml(lines, { href, label: 'Confirm my subscription' }),
      messageId: messageId(id, deps.baseUrl),
    },
    now,
  );
}

/** Sent when a subscribed address is entered again: the way back to its preferences, without telling the form. */
export async function queueReminder(deps: NoticeDeps, s: Subscriber, now: Date): Promise<void> {
  const id = randomId();
  const { preferencesUrl } = subscriberLinks(deps.baseUrl, deps.signer, s.id);
  const lines = [
    `Someone asked to subscribe ${s.email} to Paperboy at ${deps.baseUrl}. This address is already subscribed, so nothing changed.`,
    'To change what you receive, or to unsubscribe, use your preferences page.',
  ];
  await enqueue(
    deps.db,
    {
      id,
      idempotencyKey: `notice:${s.id}:${id}`,
      subscriberId: s.id,
      kind: 'notice',
      to: s.email,
      subject: 'You are already subscribed to Paperboy',
      text: `${lines.join('\n\n')}\n\nPreferences: ${preferencesUrl}\n`,
      html: noticeHtml(lines, { href: preferencesUrl, label: 'Open my preferences' }),
      messageId: messageId(id, deps.baseUrl),
    },
    now,
  );
}
