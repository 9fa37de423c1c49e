import type { Job } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.ts';
import { createTestDatabase, type TestDatabase } from '../../test/context.ts';
import { ensureAthlete } from '../queries/athletes.ts';
import { purgeExpiredLinksJob } from './purge-expired-links.job.ts';

const now = new Date('2026-12-01T12:00:00Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000);
const noJob = {} as Job<unknown>;

describe('purging expired links', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('deletes what has expired, keeps what is live, and keeps finished imports', async () => {
    const { db } = database;
    const athlete = await ensureAthlete(db, '700000000000000001');
    await db
      .insertInto('oauth_states')
      .values([
        { state_hash: 'stale', discord_user_id: '1', expires_at: hoursAgo(25) },
        { state_hash: 'just-expired', discord_user_id: '1', expires_at: hoursAgo(1) },
        { state_hash: 'live', discord_user_id: '1', expires_at: hoursAgo(-1) },
      ])
      .execute();
    const exportRow = (fileName: string, expiresAt: Date) => ({
      athlete_id: athlete.id,
      file_name: fileName,
      size_bytes: 1,
      data: Buffer.from('x'),
      expires_at: expiresAt,
    });
    await db
      .insertInto('data_exports')
      .values([exportRow('old.zip', hoursAgo(1)), exportRow('new.zip', hoursAgo(-1))])
      .execute();
    await db
      .insertInto('export_imports')
      .values([
        { athlete_id: athlete.id, link_expires_at: hoursAgo(30), notify_discord_user_id: null },
        { athlete_id: athlete.id, link_expires_at: hoursAgo(-1), notify_discord_user_id: null },
        {
          athlete_id: athlete.id,
          link_expires_at: hoursAgo(30),
          notify_discord_user_id: null,
          state: 'done',
        },
      ])
      .execute();
    await db
      .insertInto('console_login_links')
      .values([
        { token_hash: 'old', expires_at: hoursAgo(1) },
        { token_hash: 'new', expires_at: hoursAgo(-1) },
      ])
      .execute();
    await db
      .insertInto('console_sessions')
      .values([
        { token_hash: 'old', csrf_token: 'a', expires_at: hoursAgo(1), opened_athlete_id: null },
        { token_hash: 'new', csrf_token: 'b', expires_at: hoursAgo(-1), opened_athlete_id: null },
      ])
      .execute();

    const ctx = { db, logger: createLogger({ level: 'silent' }), now: () => now };
    await purgeExpiredLinksJob.handler({}, ctx, noJob);

    const states = await db.selectFrom('oauth_states').select('state_hash').orderBy('state_hash').execute();
    // A state expired within the last day still answers "expired" to a late callback.
    expect(states.map((row) => row.state_hash)).toEqual(['just-expired', 'live']);
    const exports = await db.selectFrom('data_exports').select('file_name').execute();
    expect(exports.map((row) => row.file_name)).toEqual(['new.zip']);
    const imports = await db.selectFrom('export_imports').select(['state', 'link_expires_at']).execute();
    expect(imports.map((row) => row.state).sort()).toEqual(['awaiting_upload', 'done']);
    expect(imports.find((row) => row.state === 'awaiting_upload')?.link_expires_at).toEqual(hoursAgo(-1));
    const links = await db.selectFrom('console_login_links').select('token_hash').execute();
    expect(links.map((row) => row.token_hash)).toEqual(['new']);
    const sessions = await db.selectFrom('console_sessions').select('token_hash').execute();
    expect(sessions.map((row) => row.token_hash)).toEqual(['new']);

    // Running again finds nothing more to delete.
    await purgeExpiredLinksJob.handler({}, ctx, noJob);
    expect(await db.selectFrom('oauth_states').select('state_hash').execute()).toHaveLength(2);
  });
});
