import { expect } from 'vitest';
import { createConnectLink } from '../ingest/connect/connect-links.ts';
import { connectThroughBrowser, eventually, type Harness } from './app-harness.ts';
import type { FakeActivity, FakeAthlete } from './fakes/strava/strava-fake.ts';

/**
 * Builders of the state a test starts from, through the real paths only (the Strava fake, the OAuth
 * flow in a "browser", the sync jobs), so a test never writes rows a real athlete could not produce.
 */

export interface GivenAthlete {
  /** The athlete on the Strava fake. */
  strava: FakeAthlete;
  /** Our athletes.id. */
  athleteId: string;
  /** The activities on Strava before connecting (oldest last). */
  history: FakeActivity[];
}

/**
 * A Discord user who connected a Strava athlete through the real OAuth flow. `history`: activities on
 * Strava beforehand. `initialSync`: 'synced' waits until the first sync is done (workers must run);
 * 'cancelled' cancels it so the test drives its own run; 'running' (default) leaves it as it is.
 */
export async function givenConnectedAthlete(
  h: Harness,
  options: {
    discordUserId: string;
    history?: { count: number; durationS?: number };
    initialSync?: 'synced' | 'cancelled' | 'running';
  },
): Promise<GivenAthlete> {
  const strava = h.strava.addAthlete();
  const history = options.history
    ? h.strava.addHistory(strava.id, options.history.count, { durationS: options.history.durationS })
    : [];
  h.strava.authorizeAs(strava.id);
  const { url } = await createConnectLink(h.database.db, h.ctx.config.publicUrl, options.discordUserId);
  const result = await connectThroughBrowser(url);
  expect(result.status).toBe(200);
  const { id: athleteId } = await h.database.db
    .selectFrom('athletes')
    .select('id')
    .where('discord_user_id', '=', options.discordUserId)
    .executeTakeFirstOrThrow();
  if (options.initialSync === 'synced') {
    await eventually(() =>
      h.database.db
        .selectFrom('sync_runs')
        .select('id')
        .where('athlete_id', '=', athleteId)
        .where('state', '=', 'done')
        .executeTakeFirst(),
    );
  } else if (options.initialSync === 'cancelled') {
    await h.database.db
      .updateTable('sync_runs')
      .set({ state: 'cancelled' })
      .where('athlete_id', '=', athleteId)
      .execute();
  }
  return { strava, athleteId, history };
}
