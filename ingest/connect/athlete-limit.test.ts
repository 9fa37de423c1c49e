import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobNames } from '../../lib/jobs/job-names.ts';
import { connectThroughBrowser, eventually, type Harness, startHarness } from '../../test/context.ts';
import { type DiscordFake, startDiscordFake } from '../../test/fakes/discord/discord-fake.ts';
import { createConnectLink } from './connect-links.ts';

const athleteUser = '610000000000000001';
const secondUser = '610000000000000002';
const operator = '610000000000000099';

describe('Strava refuses a connection: the application reached its athlete limit', () => {
  let discord: DiscordFake;
  let h: Harness;

  beforeAll(async () => {
    discord = await startDiscordFake({ token: 'test-bot-token', quiet: true });
    h = await startHarness({
      env: {
        DISCORD_TOKEN: 'test-bot-token',
        DISCORD_APP_ID: discord.appId,
        DISCORD_API_URL: discord.apiUrl,
        OPERATOR_DISCORD_USER_ID: operator,
      },
    });
    await h.startWorkers();
  });
  afterAll(async () => {
    await h?.stop();
    await discord?.close();
  });

  const refusedConnect = async (discordUserId: string) => {
    const athlete = h.strava.addAthlete();
    h.strava.authorizeAs(athlete.id);
    const { url } = await createConnectLink(h.database.db, h.ctx.config.publicUrl, discordUserId);
    return connectThroughBrowser(url);
  };

  it('shows the athlete a clear page, DMs them and the operator, and stores nothing', async () => {
    h.strava.setAthleteLimitReached(true);
    const result = await refusedConnect(athleteUser);
    expect(result.status).toBe(503);
    expect(result.body).toContain('Threshold is full for now');
    expect(result.body).toContain('limits how many athletes');
    expect(result.body).toContain('Nothing was stored');

    const athleteDm = await eventually(
      () => Promise.resolve(discord.dms(athleteUser)[0]),
      10_000,
      'athlete DM',
    );
    expect(athleteDm.content).toContain('reached the number of athletes Strava allows');
    const operatorDm = await eventually(
      () => Promise.resolve(discord.dms(operator)[0]),
      10_000,
      'operator DM',
    );
    expect(operatorDm.content).toContain(`<@${athleteUser}>`);
    expect(operatorDm.content).toContain('athlete limit');

    const stored = await h.database.db
      .selectFrom('athletes')
      .select('id')
      .where('discord_user_id', '=', athleteUser)
      .execute();
    expect(stored).toEqual([]);
    expect(await h.database.db.selectFrom('strava_connections').select('athlete_id').execute()).toEqual([]);
  });

  it('tells every refused athlete, but the operator at most once an hour', async () => {
    const result = await refusedConnect(secondUser);
    expect(result.status).toBe(503);
    await eventually(() => Promise.resolve(discord.dms(secondUser)[0]), 10_000, 'second athlete DM');
    // The operator's notice is throttled: no second one was even queued.
    const queued = await h.boss.findJobs(jobNames.notify, { data: { discordUserId: operator } });
    expect(queued).toHaveLength(1);
    expect(discord.dms(operator)).toHaveLength(1);
  });

  it('connects normally once Strava has room again', async () => {
    h.strava.setAthleteLimitReached(false);
    const result = await refusedConnect(athleteUser);
    expect(result.status).toBe(200);
    expect(result.body).toContain('Connected');
  });
});
