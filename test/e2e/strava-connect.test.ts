import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectLink } from '../../ingest/connect/connect-links.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import { connectThroughBrowser, type Harness, startHarness } from '../context.ts';

const user = (n: number) => `4000000000000000${String(n).padStart(2, '0')}`;

describe('Strava connect flow (against the Strava fake)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  const link = async (discordUserId: string, now?: Date) =>
    (await createConnectLink(h.database.db, h.ctx.config.publicUrl, discordUserId, now)).url;

  it('links, authorizes, exchanges the code and stores only encrypted tokens', async () => {
    const athlete = h.strava.addAthlete({ firstname: 'Ada', lastname: 'Lovelace', sex: 'F' });
    h.strava.authorizeAs(athlete.id);
    const url = await link(user(1));
    // Our link redirects to Strava's authorize page with the scope and our callback.
    const redirect = await fetch(url, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const authorize = new URL(redirect.headers.get('location')!);
    expect(authorize.origin + authorize.pathname).toBe(`${h.strava.oauthUrl}/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: h.strava.clientId,
      response_type: 'code',
      approval_prompt: 'auto',
      scope: 'read,activity:read_all',
      redirect_uri: `${h.baseUrl}/strava/callback`,
    });

    const result = await connectThroughBrowser(url);
    expect(result.status).toBe(200);
    expect(result.body).toContain('Connected — back to Discord');
    expect(result.body).toContain('Powered by Strava');

    const stored = await h.database.db
      .selectFrom('athletes')
      .innerJoin('strava_connections', 'strava_connections.athlete_id', 'athletes.id')
      .selectAll()
      .where('discord_user_id', '=', user(1))
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      strava_athlete_id: String(athlete.id),
      name: 'Ada Lovelace',
      sex: 'female',
      scope: 'read,activity:read_all',
      status: 'active',
    });
    const issued = h.strava.issuedTokens();
    expect(issued).not.toContain(stored.access_token_enc);
    expect(issued).toContain(h.ctx.strava!.cipher.decrypt(stored.access_token_enc));
    expect(issued).toContain(h.ctx.strava!.cipher.decrypt(stored.refresh_token_enc));

    // The initial sync of 30 and the "connected" DM were queued with the connection.
    const run = await h.database.db
      .selectFrom('sync_runs')
      .selectAll()
      .where('athlete_id', '=', stored.id)
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({ kind: 'initial', requested: 30, state: 'queued' });
    const jobs = await sql<{
      name: string;
    }>`SELECT name FROM pgboss.job WHERE name IN (${jobNames.backfill}, ${jobNames.notify})`.execute(
      h.database.db,
    );
    expect(jobs.rows.map((r) => r.name).sort()).toEqual([jobNames.notify, jobNames.backfill].sort());
  });

  it('refuses a forged, a reused and an expired state, storing nothing', async () => {
    const before = await h.database.db
      .selectFrom('strava_connections')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    const forged = await fetch(
      `${h.baseUrl}/strava/callback?state=forged-state-value&code=abc&scope=read,activity:read_all`,
    );
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('not valid');

    const athlete = h.strava.addAthlete();
    h.strava.authorizeAs(athlete.id);
    const url = await link(user(2));
    const first = await connectThroughBrowser(url);
    expect(first.status).toBe(200);
    const replay = await fetch(first.callbackUrl!);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('already used');

    const old = await link(user(3), new Date(Date.now() - 11 * 60_000));
    const expiredLink = await fetch(old, { redirect: 'manual' });
    expect(expiredLink.status).toBe(400);
    expect(await expiredLink.text()).toContain('expired');
    const state = old.split('/').at(-1)!;
    const expiredCallback = await fetch(
      `${h.baseUrl}/strava/callback?state=${state}&code=x&scope=read,activity:read_all`,
    );
    expect(expiredCallback.status).toBe(400);
    const after = await h.database.db
      .selectFrom('strava_connections')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n + 1); // only the one legitimate connection
  });

  it('explains a denial and a missing activity scope, and stores nothing', async () => {
    const athlete = h.strava.addAthlete();
    h.strava.authorizeAs(athlete.id, 'deny');
    const denied = await connectThroughBrowser(await link(user(4)));
    expect(denied.status).toBe(400);
    expect(denied.body).toContain('chose not to authorize');

    h.strava.authorizeAs(athlete.id, 'approve_without_activity_scope');
    const narrow = await connectThroughBrowser(await link(user(4)));
    expect(narrow.status).toBe(400);
    expect(narrow.body).toContain('leave that box ticked');
    const rows = await h.database.db
      .selectFrom('athletes')
      .select('id')
      .where('strava_athlete_id', '=', String(athlete.id))
      .execute();
    expect(rows).toEqual([]);
  });

  it('reconnecting replaces the tokens; one Strava athlete belongs to one Discord user', async () => {
    const athlete = h.strava.addAthlete();
    h.strava.authorizeAs(athlete.id);
    expect((await connectThroughBrowser(await link(user(5)))).status).toBe(200);
    const first = await h.database.db
      .selectFrom('strava_connections')
      .innerJoin('athletes', 'athletes.id', 'strava_connections.athlete_id')
      .select(['access_token_enc'])
      .where('discord_user_id', '=', user(5))
      .executeTakeFirstOrThrow();
    expect((await connectThroughBrowser(await link(user(5)))).status).toBe(200);
    const second = await h.database.db
      .selectFrom('strava_connections')
      .innerJoin('athletes', 'athletes.id', 'strava_connections.athlete_id')
      .select(['access_token_enc'])
      .where('discord_user_id', '=', user(5))
      .executeTakeFirstOrThrow();
    expect(second.access_token_enc).not.toBe(first.access_token_enc);

    const other = await connectThroughBrowser(await link(user(6)));
    expect(other.status).toBe(409);
    expect(other.body).toContain('connected to another Discord user');
  });

  it('tells the athlete when the app has reached Strava’s athlete limit', async () => {
    const athlete = h.strava.addAthlete();
    h.strava.authorizeAs(athlete.id);
    h.strava.setAthleteLimitReached(true);
    try {
      const result = await connectThroughBrowser(await link(user(7)));
      expect(result.status).toBe(503);
      expect(result.body).toContain('limits how many athletes');
    } finally {
      h.strava.setAthleteLimitReached(false);
    }
  });
});
