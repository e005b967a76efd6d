import type { Account, Role } from '../accounts/accounts.js';

/**
 * What each role may do. Members read, vote, submit and discuss; curators also feature papers for a day, hide
 * spam (papers and comments) and lock threads; admins also change roles and ban accounts. A banned account has no
 * session (src/accounts/sessions.ts), so it can do nothing.
 */
export type Action = 'vote' | 'submit' | 'comment' | 'report' | 'feature' | 'hide' | 'lock' | 'set-role' | 'ban';

const ALLOWED: Record<Role, ReadonlySet<Action>> = {
  member: new Set(['vote', 'submit', 'comment', 'report']),
  curator: new Set(['vote', 'submit', 'comment', 'report', 'feature', 'hide', 'lock']),
  admin: new Set(['vote', 'submit', 'comment', 'report', 'feature', 'hide', 'lock', 'set-role', 'ban']),
};

export function can(account: Pick<Account, 'role' | 'bannedAt'> | undefined, action: Action): boolean {
  return !!account && !account.bannedAt && ALLOWED[account.role].has(action);
}

export const isCurator = (account: Pick<Account, 'role' | 'bannedAt'> | undefined): boolean => can(account, 'hide');
