import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

// Calendar days and wall-clock times stay strings: turning them into JS Dates would shift them by the
// process's time zone, which is exactly the bug a training calendar cannot have.
const DATE_OID = 1082;
const TIMESTAMP_OID = 1114;
const typeOverrides = new pg.TypeOverrides();
typeOverrides.setTypeParser(DATE_OID, (value: string) => value);
typeOverrides.setTypeParser(TIMESTAMP_OID, (value: string) => value);

export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  pool: pg.Pool;
  close: () => Promise<void>;
}

/** A kysely instance over a pg pool; `close` ends the pool. */
export function connectDb(connectionString: string, options: { max?: number } = {}): DbHandle {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    types: typeOverrides,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    pool,
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
      // kysely ends the pool only if it ran a query itself; raw pool users need this.
      if (!pool.ended) await pool.end();
    },
  };
}

/** Runs `fn` in a transaction, joining the caller's when `db` already is one (kysely cannot nest them). */
export function inTransaction<T>(db: Db, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<Database>);
  return db.transaction().execute(fn);
}

/** One round trip to the database; throws when it cannot be reached. */
export async function pingDb(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db);
}

/**
 * Runs `fn` so that its failure undoes only its own writes: under a savepoint inside the caller's
 * transaction, or in a transaction of its own. The error is rethrown either way.
 */
export async function inSavepoint(db: Db, name: string, fn: (db: Db) => Promise<void>): Promise<void> {
  if (!db.isTransaction) return db.transaction().execute((trx) => fn(trx));
  await sql`SAVEPOINT ${sql.id(name)}`.execute(db);
  try {
    await fn(db);
    await sql`RELEASE SAVEPOINT ${sql.id(name)}`.execute(db);
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT ${sql.id(name)}`.execute(db);
    throw error;
  }
}
