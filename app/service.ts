import type { Logger } from '../lib/logger.ts';

/** One long-running part of a process (web, worker, bot, the job queue, the database). */
export interface Service {
  name: string;
  start: () => Promise<void>;
  stop: () => Promise<void>;
}

/** Stops services in reverse order of starting, each even when an earlier one failed to stop. */
export async function stopAll(services: Service[], logger: Logger): Promise<void> {
  for (const service of [...services].reverse()) {
    try {
      await service.stop();
      logger.info({ service: service.name }, 'stopped');
    } catch (error) {
      logger.error({ err: error, service: service.name }, 'failed to stop cleanly');
    }
  }
}
