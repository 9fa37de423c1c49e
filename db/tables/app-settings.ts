import type { Generated } from 'kysely';
import type { Json } from './json.ts';

export interface AppSettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: Generated<Date>;
}
