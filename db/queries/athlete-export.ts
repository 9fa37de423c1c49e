import { sql } from 'kysely';
import type { Db } from '../connect.ts';

/**
 * What the data export reads: the schema (so tables added later are exported without a change) and the
 * rows of one athlete in any table, selected by their id alone.
 */

/** Every column of every base table in the current schema, in table and column order. */
export async function schemaColumns(
  db: Db,
): Promise<{ table_name: string; column_name: string; data_type: string }[]> {
  const { rows } = await sql<{ table_name: string; column_name: string; data_type: string }>`
    SELECT c.table_name, c.column_name, c.data_type
    FROM information_schema.columns c
    JOIN information_schema.tables t
      ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema = current_schema()
    ORDER BY c.table_name, c.ordinal_position`.execute(db);
  return rows;
}

/** Every single-column foreign key in the current schema: `child.column` references `parent.key`. */
export async function schemaForeignKeys(
  db: Db,
): Promise<{ child: string; column: string; parent: string; key: string }[]> {
  const { rows } = await sql<{ child: string; column: string; parent: string; key: string }>`
    SELECT c.relname AS child, a.attname AS column, p.relname AS parent, pa.attname AS key
    FROM pg_constraint k
    JOIN pg_class c ON c.oid = k.conrelid
    JOIN pg_class p ON p.oid = k.confrelid
    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
    JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
    WHERE k.contype = 'f' AND cardinality(k.conkey) = 1
      AND k.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
    ORDER BY c.relname, a.attname`.execute(db);
  return rows;
}

export interface AthleteTable {
  table: string;
  columns: string[];
  /** For a table without athlete_id: the foreign key to a table that has one (sync_run_items → sync_runs). */
  parent?: { column: string; table: string; key: string };
}

/**
 * The athlete's rows of one table, `columns` only: where `key` (id or athlete_id) is theirs, or, for a
 * child table, where its parent row's athlete_id is. Ordered by `orderBy`, then the first columns.
 */
export async function athleteTableRows(
  db: Db,
  spec: AthleteTable,
  key: 'id' | 'athlete_id',
  athleteId: string,
  orderBy: string[],
): Promise<Record<string, unknown>[]> {
  if (spec.parent) {
    const { parent } = spec;
    const order = [...orderBy, ...spec.columns.slice(0, 2)].map((column) => sql.ref(`c.${column}`));
    const { rows } = await sql<Record<string, unknown>>`
      SELECT ${sql.join(spec.columns.map((column) => sql.ref(`c.${column}`)))}
      FROM ${sql.table(spec.table)} AS c
      JOIN ${sql.table(parent.table)} AS p ON p.${sql.ref(parent.key)} = c.${sql.ref(parent.column)}
      WHERE p.athlete_id = ${athleteId}
      ORDER BY ${sql.join(order)}`.execute(db);
    return rows;
  }
  const order = [...orderBy, spec.columns[0]!].map((column) => sql.ref(column));
  const { rows } = await sql<Record<string, unknown>>`
    SELECT ${sql.join(spec.columns.map((column) => sql.ref(column)))}
    FROM ${sql.table(spec.table)}
    WHERE ${sql.ref(key)} = ${athleteId}
    ORDER BY ${sql.join(order)}`.execute(db);
  return rows;
}
