import { Cron } from 'croner';
import type { Config } from '../config/config.js';
import type { Logger } from '../log.js';

/** Every recurring job of the single-process deployment, in one place. */
export interface Jobs {
  harvest: () => Promise<void>;
}

export function startSchedules(config: Pick<Config, 'harvestCron'>, jobs: Jobs, log: Logger): { stop(): void } {
  const crons = [
    new Cron(config.harvestCron, { name: 'harvest', protect: true, catch: (e) => log.error({ err: e }, 'harvest job crashed') }, jobs.harvest),
  ];
  for (const cron of crons) log.info(`scheduled ${cron.name}: next run ${cron.nextRun()?.toISOString() ?? 'never'}`);
  return { stop: () => crons.forEach((c) => c.stop()) };
}
