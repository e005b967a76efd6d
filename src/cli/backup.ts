import { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { type BackupSummary, backupStore, restoreStore } from '../store/backup.js';
import { describeCounts } from '../store/backup-files.js';

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
const where = (s: BackupSummary) => `the ${s.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'} store at ${s.store}`;

/** `paperboy backup <file>`: a consistent copy of the store while the site runs. */
export function backupCommand(): Command {
  return new Command('backup')
    .description(
      'copy the whole store to a file while the site keeps running (SQLite: a database file; PostgreSQL: pg_dump -Fc)',
    )
    .argument('<file>', 'the backup file to write')
    .option('--force', 'replace the file if it exists')
    .action(async (file: string, opts: { force?: boolean }) => {
      const s = await backupStore(loadConfig(), file, { force: opts.force ?? false });
      console.log(`backed up ${where(s)} (schema version ${s.schemaVersion}) to ${s.file}`);
      console.log(`copied: ${describeCounts(s.counts)}`);
      console.log(`${megabytes(s.bytes)} in ${s.seconds.toFixed(2)} s`);
    });
}

/** `paperboy restore <file>`: the store replaced by a backup. */
export function restoreCommand(): Command {
  return new Command('restore')
    .description(
      'replace the store with a backup made by `paperboy backup` (stop `serve` first; an older backup is migrated forward)',
    )
    .argument('<file>', 'the backup file to restore')
    .option('--force', 'replace a store that holds papers, accounts or subscribers')
    .action(async (file: string, opts: { force?: boolean }) => {
      const s = await restoreStore(loadConfig(), file, { force: opts.force ?? false });
      console.log(`restored ${s.file} into ${where(s)}`);
      console.log(`restored: ${describeCounts(s.counts)}`);
      console.log(
        s.migratedFrom === undefined
          ? `schema version ${s.schemaVersion}`
          : `migrated from schema version ${s.migratedFrom} to ${s.schemaVersion}`,
      );
      console.log(`${megabytes(s.bytes)} in ${s.seconds.toFixed(2)} s`);
    });
}
