import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/context.ts';
import { connectDb } from './connect.ts';
import { migrateToLatest } from './migrate.ts';
import { migrations } from './migrations/index.ts';

describe('migrations', () => {
  let copy: TestDatabase;
  beforeAll(async () => {
    copy = await createTestDatabase();
  });
  afterAll(async () => copy.drop());

  it('apply every migration to an empty database, and again is a no-op', async () => {
    // An empty database: drop the template's tables by recreating the public schema.
    await sql`DROP SCHEMA public CASCADE`.execute(copy.db);
    await sql`CREATE SCHEMA public`.execute(copy.db);
    const fresh = connectDb(copy.url, { max: 1 });
    try {
      const first = await migrateToLatest(fresh.db);
      expect(first.applied).toEqual(Object.keys(migrations));
      const second = await migrateToLatest(fresh.db);
      expect(second.applied).toEqual([]);
      const tables = await sql<{ table_name: string }>`
        SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`.execute(
        fresh.db,
      );
      expect(tables.rows.map((row) => row.table_name)).toEqual(
        expect.arrayContaining([
          'activities',
          'activity_metrics',
          'activity_streams',
          'athletes',
          'daily_load',
          'oauth_states',
          'strava_connections',
          'sync_runs',
          'webhook_events',
        ]),
      );
    } finally {
      await fresh.close();
    }
  });

  it('constraints do real work: unique Strava ids, cascades, checks', async () => {
    const { db } = copy;
    const [athlete] = await db
      .insertInto('athletes')
      .values({ discord_user_id: '123456789012345678', strava_athlete_id: '42' })
      .returning('id')
      .execute();
    const base = {
      athlete_id: athlete!.id,
      source: 'strava_api' as const,
      sport_type: 'Ride',
      start_date: new Date('2026-01-01T07:00:00Z'),
      start_date_local: '2026-01-01 08:00:00',
      local_date: '2026-01-01',
    };
    await db
      .insertInto('activities')
      .values({ ...base, strava_id: '1001' })
      .execute();
    await expect(
      db
        .insertInto('activities')
        .values({ ...base, strava_id: '1001' })
        .execute(),
    ).rejects.toThrow(/unique/);
    await expect(
      db
        .insertInto('activities')
        .values({ ...base, strava_id: '1002', distance_m: -5 })
        .execute(),
    ).rejects.toThrow(/check/);
    await expect(
      db
        .insertInto('athletes')
        .values({ discord_user_id: '999999999999999999', sex: 'x' as 'male' })
        .execute(),
    ).rejects.toThrow(/check/);
    const dates = await db.selectFrom('activities').select(['local_date', 'start_date_local']).execute();
    expect(dates[0]).toEqual({ local_date: '2026-01-01', start_date_local: '2026-01-01 08:00:00' });
    await db.deleteFrom('athletes').where('id', '=', athlete!.id).execute();
    const left = await db.selectFrom('activities').select('id').execute();
    expect(left).toEqual([]);
  });
  it('the highest heart rate seen is filled in from metrics stored before it was kept', async () => {
    const scratch = await createTestDatabase();
    try {
      await sql`DROP SCHEMA public CASCADE`.execute(scratch.db);
      await sql`CREATE SCHEMA public`.execute(scratch.db);
      const migrator = new Migrator({ db: scratch.db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('2026-12-01T1600-run-ftp-threshold')).error).toBeUndefined();
      const athlete = await sql<{ id: string }>`
        INSERT INTO athletes (discord_user_id) VALUES ('123456789012345001') RETURNING id`.execute(
        scratch.db,
      );
      const athleteId = athlete.rows[0]!.id;
      for (const [i, hr] of [{ max: 181 }, { max: 193.5 }, null, { max: 'n/a' }].entries()) {
        const activity = await sql<{ id: string }>`
          INSERT INTO activities (athlete_id, source, sport_type, start_date, start_date_local, local_date)
          VALUES (${athleteId}, 'file_upload', 'Ride', now(), now(), ${`2026-01-0${i + 1}`}) RETURNING id`.execute(
          scratch.db,
        );
        await sql`
          INSERT INTO activity_metrics (activity_id, athlete_id, stress, stress_method, duration_s, moving_s, metrics, thresholds_used)
          VALUES (${activity.rows[0]!.id}, ${athleteId}, 10, 'hr', 600, 600, ${JSON.stringify({ hr })}::jsonb, '{}')`.execute(
          scratch.db,
        );
      }
      await migrateToLatest(scratch.db);
      const seen = await sql<{ max_hr_seen: number | null }>`
        SELECT max_hr_seen FROM athletes WHERE id = ${athleteId}`.execute(scratch.db);
      expect(seen.rows[0]!.max_hr_seen).toBe(193.5);
      const perActivity = await sql<{ max_hr: number | null }>`
        SELECT max_hr FROM activity_metrics ORDER BY activity_id`.execute(scratch.db);
      expect(perActivity.rows.map((row) => row.max_hr)).toEqual([181, 193.5, null, null]);
    } finally {
      await scratch.drop();
    }
  });
});
