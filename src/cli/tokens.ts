import { Command, Option } from 'commander';
import {
  type ApiToken,
  createApiToken,
  listApiTokens,
  revokeApiToken,
  TOKEN_SCOPES,
  type TokenScope,
} from '../accounts/api-tokens.js';
import { findAccount, type ManagedAccount } from '../community/moderation.js';
import type { Config } from '../config/config.js';
import { Refusal } from '../model/refusal.js';
import { recordAudit } from '../store/audit.js';
import type { OpenedStore } from '../store/store.js';

type WithStore = <T>(fn: (opened: OpenedStore, config: Config) => Promise<T>) => Promise<T>;

async function existing({ db }: OpenedStore, who: string): Promise<ManagedAccount> {
  const account = await findAccount(db, who);
  if (!account)
    throw new Refusal(
      'not-found',
      `No account has the handle or address “${who}”. \`paperboy accounts list\` shows them all.`,
    );
  return account;
}

const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const line = (t: ApiToken) =>
  [
    t.id,
    t.scope.padEnd(5),
    `created ${minute(t.createdAt)}`,
    `last used ${(t.lastUsedAt ? minute(t.lastUsedAt) : 'never').padEnd(16)}`,
    t.name,
  ].join('  ');

/**
 * `paperboy tokens ...`: personal API tokens made for an account from the server's shell (for a script on the server,
 * or for a reader who cannot reach the account page). The token is printed once; the audit log records who, not it.
 */
export function tokensCommand(withStore: WithStore): Command {
  const tokens = new Command('tokens').description('personal API tokens: create, list, revoke');

  tokens
    .command('create')
    .description('create an API token for an account and print it (once: only its hash is kept)')
    .argument('<who>', 'handle or email address')
    .addOption(new Option('--scope <scope>', 'read, or write (read and write)').choices(TOKEN_SCOPES).default('read'))
    .option('--name <text>', 'what the token is for', 'command line')
    .action((who: string, opts: { scope: TokenScope; name: string }) =>
      withStore(async (opened) => {
        const account = await existing(opened, who);
        if (account.bannedAt)
          throw new Refusal('forbidden', `@${account.handle} is banned: a token of theirs would not work.`);
        const now = new Date();
        const { token, info } = await createApiToken(
          opened.db,
          account.id,
          { name: opts.name, scope: opts.scope },
          now,
        );
        await recordAudit(
          opened.db,
          {
            actorId: null,
            action: 'token.create',
            targetType: 'account',
            targetId: account.id,
            detail: { tokenId: info.id, scope: info.scope, name: info.name },
          },
          now,
        );
        console.error(`created ${info.scope} token ${info.id} for @${account.handle}; it is shown once:`);
        console.log(token);
      }),
    );

  tokens
    .command('list')
    .description("an account's API tokens, newest first: id, scope, created, last used, name (never the tokens)")
    .argument('<who>', 'handle or email address')
    .option('--json', 'print JSON')
    .action((who: string, opts: { json?: boolean }) =>
      withStore(async (opened) => {
        const account = await existing(opened, who);
        const all = await listApiTokens(opened.db, account.id);
        if (opts.json) console.log(JSON.stringify(all, null, 2));
        else if (all.length === 0)
          console.log(
            `@${account.handle} has no API tokens. Create one with \`paperboy tokens create ${account.handle}\`.`,
          );
        else for (const t of all) console.log(line(t));
      }),
    );

  tokens
    .command('revoke')
    .description('revoke an API token by its id (from `paperboy tokens list`): it stops working at once')
    .argument('<id>', 'the token id')
    .action((id: string) =>
      withStore(async (opened) => {
        const revoked = await revokeApiToken(opened.db, id);
        if (!revoked)
          throw new Refusal(
            'not-found',
            `No API token has the id “${id}” (revoked already?). \`paperboy tokens list <handle>\` shows an account's tokens.`,
          );
        const now = new Date();
        await recordAudit(
          opened.db,
          {
            actorId: null,
            action: 'token.revoke',
            targetType: 'account',
            targetId: revoked.accountId,
            detail: { tokenId: revoked.id, scope: revoked.scope, name: revoked.name },
          },
          now,
        );
        console.log(`revoked token ${revoked.id} (${revoked.name})`);
      }),
    );

  return tokens;
}
