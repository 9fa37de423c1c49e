import type { Migration } from 'kysely/migration';
import * as initialSchema from './2026-11-25T0330-initial-schema.ts';
import * as settingsAndNotices from './2026-11-25T0400-settings-and-notices.ts';
import * as syncProgress from './2026-11-25T0430-sync-progress.ts';

/** Every migration, by sortable name. Listed explicitly so nothing depends on reading a folder at run time. */
export const migrations: Record<string, Migration> = {
  '2026-11-25T0330-initial-schema': initialSchema,
  '2026-11-25T0400-settings-and-notices': settingsAndNotices,
  '2026-11-25T0430-sync-progress': syncProgress,
};
