import { Cron } from 'croner';
import { loadConfig } from '../src/config/config.js';
import { createJobClaims } from '../src/jobs/claims.js';
import { periodKey, startSchedules } from '../src/jobs/schedule.js';
import { createLogger } from '../src/log.js';
import { openStore } from '../src/store/open.js';

/**
 * A process that schedules one probe job exactly as `serve` schedules its jobs (in the trending job's place, at
 * PAPERBOY_TRENDING_CRON), for test/claims.e2e.test.ts. It prints "ready <pid>", then "start <period> <pid>" and
 * "end <period> <pid>" around each run, which sleeps the milliseconds given as its argument.
 */
const config = loadConfig();
const opened = await openStore(config);
const log = createLogger(config);
const claims = createJobClaims(opened.db, { leaseMs: config.jobLeaseSeconds * 1000, log });
const sleepMs = Number(process.argv[2] ?? '0');
const clock = new Cron(config.trendingCron ?? '* * * * * *', { paused: true });
let runs = 0;
const probe = async () => {
  const period = periodKey(clock, new Date());
  runs++;
  console.log(`start ${period} ${process.pid}`);
  await new Promise((resolve) => setTimeout(resolve, sleepMs));
  console.log(`end ${period} ${process.pid}`);
  runs--;
};
const schedules = startSchedules(config, { trending: probe }, log, claims);
console.log(`ready ${process.pid}`);
process.once('SIGTERM', () => {
  schedules.stop();
  // A run in progress ends before the process does.
  const wait = setInterval(() => {
    if (runs > 0) return;
    clearInterval(wait);
    void opened.store.close().finally(() => process.exit(0));
  }, 20);
});
