import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

/**
 * Checks that the PostgreSQL server the engine tests need is reachable, and drops every database this run created.
 * Each test that needs PostgreSQL creates its own database (test/stores.ts); the run id keeps parallel runs apart.
 */
const adminUrl = process.env.PAPERBOY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = fileURLToPath(new URL('../../shared/data/', import.meta.url));
  if (!existsSync(shared)) {
    throw new Error(
      `The tests read real data from ${shared}, which is missing. Clone Paperboy beside the shared/ folder (../shared/data).`,
    );
  }
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `The tests need PostgreSQL at ${adminUrl} (trust auth) to run the store contract suite on both engines: ${String(error)}. ` +
        'Start it (pg_ctlcluster 15 main start) or point PAPERBOY_TEST_PG_URL at a server where this user may create databases.',
    );
  } finally {
    await client.end().catch(() => {});
  }
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgRunId', runId);
  return async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `paperboy_t_${runId}_%`,
    ]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.end();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgRunId: string;
  }
}
