import type { Account } from '../accounts/accounts.js';
import { isValidDay } from '../model/dates.js';
import type { Paper } from '../model/paper.js';
import { Refusal } from '../model/refusal.js';
import type { CurationPatch, Store } from '../store/store.js';
import { type Action, can } from './roles.js';

/** Who acts: a signed-in account, or the command line (the operator, who may do anything). */
export type Actor = Pick<Account, 'id' | 'role' | 'bannedAt'> | 'cli';

const WHO_MAY: Record<Action, string> = {
  vote: 'members',
  submit: 'members',
  comment: 'members',
  report: 'members',
  feature: 'curators and admins',
  hide: 'curators and admins',
  lock: 'curators and admins',
  'set-role': 'admins',
  ban: 'admins',
};

export function actorId(actor: Actor): string | null {
  return actor === 'cli' ? null : actor.id;
}

/** Throws unless the actor may do this. */
export function requireCan(actor: Actor, action: Action, what: string): void {
  if (actor === 'cli' || can(actor, action)) return;
  throw new Refusal('forbidden', `Only ${WHO_MAY[action]} can ${what}. Ask an admin if you should be one.`);
}

export type PaperCuration = 'feature' | 'unfeature' | 'hide' | 'unhide' | 'lock' | 'unlock';

/** The action each change needs, what it writes, and how the refusal names it. */
function planFor(
  change: PaperCuration,
  at: string,
  day: string | undefined,
): { action: Action; patch: CurationPatch; what: string } {
  switch (change) {
    case 'feature':
      return { action: 'feature', patch: { featuredOn: day! }, what: 'feature papers' };
    case 'unfeature':
      return { action: 'feature', patch: { featuredOn: null }, what: 'feature papers' };
    case 'hide':
      return { action: 'hide', patch: { hiddenAt: at }, what: 'hide papers' };
    case 'unhide':
      return { action: 'hide', patch: { hiddenAt: null }, what: 'hide papers' };
    case 'lock':
      return { action: 'lock', patch: { commentsLockedAt: at }, what: 'lock comment threads' };
    case 'unlock':
      return { action: 'lock', patch: { commentsLockedAt: null }, what: 'lock comment threads' };
  }
}

/**
 * Features a paper for a day (`day`, YYYY-MM-DD), hides it as spam (it leaves every list, feed and search; its page
 * answers 404 to all but curators) or locks its comment thread, or undoes one of these. The change and its audit
 * line are one transaction (Store.setCuration); doing what is already done changes and records nothing.
 */
export async function curatePaper(
  store: Store,
  actor: Actor,
  paperId: string,
  change: PaperCuration,
  now: Date,
  day?: string,
): Promise<{ paper: Paper; changed: boolean }> {
  const plan = planFor(change, now.toISOString(), day);
  requireCan(actor, plan.action, plan.what);
  if (change === 'feature' && !(day && isValidDay(day))) {
    throw new Refusal('invalid', `Feature a paper for a day written like 2026-07-01, not “${day ?? ''}”.`);
  }
  if (change === 'feature' && (await store.getPaper(paperId, { hidden: true }))?.hiddenAt) {
    throw new Refusal('invalid', `${paperId} is hidden: unhide it first if it should be featured.`);
  }
  const result = await store.setCuration(paperId, plan.patch, {
    actorId: actorId(actor),
    action: `paper.${change}`,
    at: now,
    ...(day && change === 'feature' ? { detail: { day } } : {}),
  });
  if (!result) throw new Refusal('not-found', `There is no paper ${paperId}.`);
  return result;
}
