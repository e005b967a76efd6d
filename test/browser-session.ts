import type { Kysely } from 'kysely';
import { type Account, accountForEmail, type Role } from '../src/accounts/accounts.js';
import { createSession } from '../src/accounts/sessions.js';
import type { Database } from '../src/store/schema.js';
import type { createApp } from '../src/web/app.js';
import { SESSION_COOKIE } from '../src/web/session.js';

/** A browser: its cookies and its address (the app trusts X-Forwarded-For here, so each browser has its own). */
export class Browser {
  cookies = new Map<string, string>();
  constructor(
    readonly app: ReturnType<typeof createApp>,
    readonly ip: string,
  ) {}

  async request(
    path: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { 'x-forwarded-for': this.ip, ...init.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.app.request(path, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body: init.form ? new URLSearchParams(init.form) : null,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=') as [string, string];
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Opens a page with a form and returns its CSRF field. */
  async csrf(path: string): Promise<string> {
    const html = await (await this.request(path)).text();
    return /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  }

  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { form: fields, headers });
  }
}

/**
 * A browser already signed in as a new account with this role (the sign-in itself is tested in signin.test.ts).
 * `createdAt` lets a test make the account older than the new-account rules.
 */
export async function signedInBrowser(
  app: ReturnType<typeof createApp>,
  db: Kysely<Database>,
  opts: { email: string; ip: string; role?: Role; now: Date; createdAt?: Date },
): Promise<{ browser: Browser; account: Account }> {
  const { account } = await accountForEmail(db, opts.email, opts.createdAt ?? opts.now);
  if (opts.role && opts.role !== account.role)
    await db.updateTable('accounts').set({ role: opts.role }).where('id', '=', account.id).execute();
  const browser = new Browser(app, opts.ip);
  browser.cookies.set(SESSION_COOKIE, await createSession(db, account.id, opts.now));
  return { browser, account: { ...account, role: opts.role ?? account.role } };
}
