import type { Kysely } from 'kysely';
import { DEFAULT_MIGRATION_TABLE, type MigrationResultSet, Migrator } from 'kysely/migration';
import { migrations } from './migrations/index.ts';

/**
 * Applies every pending migration, in order, under kysely's migration lock. Every process start calls
 * this; when nothing is pending (almost always) one query says so, instead of the migrator's schema
 * introspection, lock and transaction (~10 round trips, most of a start's database time).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against any schema
export async function migrateToLatest(db: Kysely<any>): Promise<{ applied: string[] }> {
  if (await allApplied(db)) return { applied: [] };
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed ?? '(unknown)'} failed: ${cause}`, { cause: result.error });
  }
  return {
    applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}

/**
 * True when the applied migrations are exactly ours. Anything else (no table yet, some pending, or
 * names this code does not know) goes to the migrator, which applies or reports them as before.
 */
// biome-ignore lint/suspicious/noExplicitAny: the migration table is not in the app's schema
async function allApplied(db: Kysely<any>): Promise<boolean> {
  try {
    const rows: { name: string }[] = await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').execute();
    const names = Object.keys(migrations);
    const applied = new Set(rows.map((row) => row.name));
    return rows.length === names.length && names.every((name) => applied.has(name));
  } catch {
    return false;
  }
}
