import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invoker } from '../../bot/command.ts';
import disconnect from '../../bot/commands/disconnect.ts';
import { eventually, givenConnectedAthlete, type Harness, startHarness } from '../context.ts';

const invoker = (userId: string): Invoker => ({ userId, username: 'a', inGuild: false, interactionId: '1' });

/** /disconnect through its command logic against the Strava fake: what it deletes, and what it keeps. */
describe('/disconnect', () => {
  let h: Harness;
  const users = { remove: '670000000000000001', keep: '670000000000000002' };
  const stravaIds: Record<string, number> = {};

  beforeAll(async () => {
    h = await startHarness();
    await h.startWorkers();
    for (const [key, user] of Object.entries(users)) {
      const { strava } = await givenConnectedAthlete(h, {
        discordUserId: user,
        athlete: { firstname: 'Dee', lastname: key },
        history: { count: 4, durationS: 1200 },
      });
      stravaIds[key] = strava.id;
    }
    await eventually(
      async () =>
        (await h.database.db.selectFrom('activity_metrics').select('activity_id').execute()).length === 8,
      20_000,
      'both imports',
    );
  }, 40_000);
  afterAll(async () => h?.stop());

  const state = async (user: string) => {
    const athlete = await h.database.db
      .selectFrom('athletes')
      .select(['id', 'name', 'strava_athlete_id'])
      .where('discord_user_id', '=', user)
      .executeTakeFirstOrThrow();
    const activities = await h.database.db
      .selectFrom('activities')
      .leftJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
      .select([
        'activities.name',
        'activities.sport_type',
        'activities.streams_state',
        'activity_metrics.stress',
      ])
      .where('activities.athlete_id', '=', athlete.id)
      .execute();
    const streams = await h.database.db
      .selectFrom('activity_streams')
      .innerJoin('activities', 'activities.id', 'activity_streams.activity_id')
      .select('activity_streams.activity_id')
      .where('activities.athlete_id', '=', athlete.id)
      .execute();
    const connection = await h.database.db
      .selectFrom('strava_connections')
      .select('athlete_id')
      .where('athlete_id', '=', athlete.id)
      .executeTakeFirst();
    const load = await h.database.db
      .selectFrom('daily_load')
      .select('date')
      .where('athlete_id', '=', athlete.id)
      .execute();
    return { athlete, activities, streams: streams.length, connection, load: load.length };
  };

  it('asks first, saying what goes, and cancel changes nothing', async () => {
    const ask = await disconnect.execute(
      { invoker: invoker(users.remove), options: {}, progress: async () => {} },
      h.ctx,
    );
    const labels = ask.components!.flat().map((b) => b.label);
    expect(labels).toContain('Cancel');
    const cancel = await disconnect.button!(
      { invoker: invoker(users.remove), action: 'cancel', args: [], progress: async () => {} },
      h.ctx,
    );
    expect(cancel.content).toContain('Nothing changed');
    expect((await state(users.remove)).connection).toBeDefined();
  });

  it('delete: tokens, activities, streams, the Strava name and the PMC go; Strava is told', async () => {
    const before = await state(users.remove);
    const stored = await h.database.db
      .selectFrom('strava_connections')
      .select('access_token_enc')
      .where('athlete_id', '=', before.athlete.id)
      .executeTakeFirstOrThrow();
    const accessToken = h.ctx.strava!.cipher.decrypt(stored.access_token_enc);
    expect(h.strava.issuedTokens()).toContain(accessToken);
    await disconnect.button!(
      { invoker: invoker(users.remove), action: 'confirm', args: ['delete'], progress: async () => {} },
      h.ctx,
    );
    const after = await state(users.remove);
    expect(after.connection).toBeUndefined();
    expect(after.activities).toEqual([]);
    expect(after.streams).toBe(0);
    expect(after.athlete).toMatchObject({ name: null, strava_athlete_id: null });
    await eventually(async () => (await state(users.remove)).load === 0, 10_000, 'PMC removed');
    // Deauthorized at Strava: the token no longer works there.
    expect(h.strava.issuedTokens()).not.toContain(accessToken);
  });

  it('keep my numbers: stress and the PMC stay; streams, Strava titles and summaries go', async () => {
    const before = await state(users.keep);
    await disconnect.button!(
      { invoker: invoker(users.keep), action: 'confirm', args: ['keep'], progress: async () => {} },
      h.ctx,
    );
    const after = await state(users.keep);
    expect(after.connection).toBeUndefined();
    expect(after.streams).toBe(0);
    expect(after.athlete.name).toBeNull();
    expect(after.activities.map((a) => a.stress).sort()).toEqual(
      before.activities.map((a) => a.stress).sort(),
    );
    for (const a of after.activities) {
      expect(a.name).toBe(a.sport_type);
      expect(a.streams_state).toBe('purged');
    }
    expect(after.load).toBe(before.load);
  });
});
