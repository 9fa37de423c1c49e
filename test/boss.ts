import type { PgBoss } from 'pg-boss';
import { createBoss, createQueues } from '../app/job-runner.ts';
import type { JobDefinition } from '../lib/jobs/job-definition.ts';
import { createLogger } from '../lib/logger.ts';

/** A started pg-boss on a test database, with the given queues created. */
export async function startTestBoss<Ctx>(url: string, definitions: JobDefinition<Ctx>[]): Promise<PgBoss> {
  const boss = createBoss(url, createLogger({ level: 'silent' }), { max: 4 });
  await boss.start();
  await createQueues(boss, definitions);
  return boss;
}
