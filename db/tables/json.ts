import type { ColumnType } from 'kysely';

/**
 * A jsonb column: read as `T`, written as JSON text. pg would turn a JS array into a Postgres array,
 * so every jsonb value is written through `toJson`.
 */
export type Json<T> = ColumnType<T, string, string>;

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}
