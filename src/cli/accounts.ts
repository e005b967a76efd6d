import { Argument, Command, Option } from 'commander';
import type { Role } from '../accounts/accounts.js';
import {
  createAccount,
  findAccount,
  listAccounts,
  type ManagedAccount,
  type ModerationDb,
  setBanned,
  setRole,
} from '../community/moderation.js';
import type { Config } from '../config/config.js';
import { Refusal } from '../model/refusal.js';
import type { OpenedStore } from '../store/store.js';

type WithStore = <T>(fn: (opened: OpenedStore, config: Config) => Promise<T>) => Promise<T>;

const ROLES: Role[] = ['member', 'curator', 'admin'];

const moderation = ({ store, db }: OpenedStore): ModerationDb => ({ db, engine: store.engine });

async function existing({ db }: OpenedStore, who: string): Promise<ManagedAccount> {
  const account = await findAccount(db, who);
  if (!account)
    throw new Refusal(
      'not-found',
      `No account has the handle or address “${who}”. \`paperboy accounts list\` shows them all.`,
    );
  return account;
}

const line = (a: ManagedAccount) =>
  `@${a.handle.padEnd(20)} ${a.email.padEnd(32)} ${a.role.padEnd(8)} ${a.bannedAt ? `banned ${a.bannedAt.slice(0, 10)}` : 'active'.padEnd(17)} ${a.origin.padEnd(7)} ${a.createdAt.slice(0, 10)}`;

/**
 * `paperboy accounts ...`: what an operator does from the server's shell. Every change is written to the audit log
 * with no actor (the command line); the command line may do anything an admin may.
 */
export function accountsCommand(withStore: WithStore): Command {
  const accounts = new Command('accounts').description('accounts and their roles: create, role, ban, unban, list');

  accounts
    .command('create')
    .description(
      'create an account (the first one created here is an admin); its owner signs in with a link mailed to the address',
    )
    .argument('<email>', "the owner's email address")
    .addOption(
      new Option(
        '--role <role>',
        'member, curator or admin (default: admin for the first account created here, else member)',
      ).choices(ROLES),
    )
    .option('--handle <handle>', 'the public handle (default: from the address)')
    .action((email: string, opts: { role?: Role; handle?: string }) =>
      withStore(async (opened) => {
        const account = await createAccount(
          moderation(opened),
          'cli',
          { email, handle: opts.handle, role: opts.role },
          new Date(),
        );
        console.log(`created @${account.handle} <${account.email}> as ${account.role}`);
      }),
    );

  accounts
    .command('role')
    .description('give an account a role (the last admin cannot be given another)')
    .argument('<who>', 'handle or email address')
    .addArgument(new Argument('<role>', 'member, curator or admin').choices(ROLES))
    .action((who: string, role: Role) =>
      withStore(async (opened) => {
        const { account, changed } = await setRole(
          moderation(opened),
          'cli',
          (await existing(opened, who)).id,
          role,
          new Date(),
        );
        console.log(
          changed ? `@${account.handle} is now ${account.role}` : `@${account.handle} is already ${account.role}`,
        );
      }),
    );

  accounts
    .command('ban')
    .description('ban an account: it is signed out everywhere and cannot sign in (demote an admin first)')
    .argument('<who>', 'handle or email address')
    .action((who: string) =>
      withStore(async (opened) => {
        const { account, changed, sessionsEnded } = await setBanned(
          moderation(opened),
          'cli',
          (await existing(opened, who)).id,
          true,
          new Date(),
        );
        console.log(
          changed
            ? `banned @${account.handle}; ended ${sessionsEnded} sessions`
            : `@${account.handle} is already banned`,
        );
      }),
    );

  accounts
    .command('unban')
    .description('lift a ban')
    .argument('<who>', 'handle or email address')
    .action((who: string) =>
      withStore(async (opened) => {
        const { account, changed } = await setBanned(
          moderation(opened),
          'cli',
          (await existing(opened, who)).id,
          false,
          new Date(),
        );
        console.log(changed ? `unbanned @${account.handle}` : `@${account.handle} is not banned`);
      }),
    );

  accounts
    .command('list')
    .description('every account, newest first: handle, email, role, ban, how it was created, when')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      withStore(async (opened) => {
        const all = await listAccounts(opened.db, { limit: 1000 });
        if (opts.json) console.log(JSON.stringify(all, null, 2));
        else if (all.length === 0)
          console.log('No accounts yet. Create the first (an admin) with `paperboy accounts create <email>`.');
        else for (const a of all) console.log(line(a));
      }),
    );

  return accounts;
}
