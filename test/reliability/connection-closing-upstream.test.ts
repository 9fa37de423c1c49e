import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresGate } from '../../ingest/rate-limit/postgres-gate.ts';
import { createStravaClient } from '../../ingest/strava-client.ts';
import { createTestDatabase, type TestDatabase } from '../context.ts';
import { startConnectionClosingUpstream } from './connection-closing-upstream.ts';

/** A stream set (time and power at 1 Hz) whose JSON is at least `bytes` long. */
function streamSet(bytes: number) {
  const build = (samples: number) => ({
    time: { data: Array.from({ length: samples }, (_, i) => i), series_type: 'time', resolution: 'high' },
    watts: {
      data: Array.from({ length: samples }, (_, i) => 200 + (i % 50)),
      series_type: 'time',
      resolution: 'high',
    },
  });
  let samples = Math.floor(bytes / 12);
  while (JSON.stringify(build(samples)).length < bytes) samples += 100;
  return build(samples);
}

// Bodies a little above 64 KiB are the ones undici leaves paused under backpressure when they are not
// read at once; the upstream's FIN then reached an assertion inside undici and killed the process
// (nodejs/undici#5360). The client must take every body off the socket before it awaits anything else.
describe('Strava client against an upstream that closes the connection after each response', () => {
  let database: TestDatabase;
  let upstream: Awaited<ReturnType<typeof startConnectionClosingUpstream>>;
  const sizes = [66_000, 70_000, 75_000, 80_000, 90_000, 98_000];
  beforeAll(async () => {
    database = await createTestDatabase();
    upstream = await startConnectionClosingUpstream((_method, path) => {
      const match = /\/activities\/(\d+)\/streams/.exec(path);
      if (!match) return { status: 404, body: { message: 'Record Not Found' } };
      return { status: 200, body: streamSet(sizes[Number(match[1]) % sizes.length]!) };
    });
  });
  afterAll(async () => {
    await upstream.close();
    await database.drop();
  });

  it('reads every stream set in full, in parallel, with a database write between answer and body', async () => {
    const client = createStravaClient({
      apiUrl: `${upstream.url}/api/v3`,
      oauthUrl: `${upstream.url}/oauth`,
      clientId: '1',
      clientSecret: 's',
      // The real budget gate: its observe() is a Postgres transaction, the await that exposed the bug.
      gate: createPostgresGate(database.db),
      baseDelayMs: 1,
    });
    for (let round = 0; round < 3; round++) {
      const sets = await Promise.all(sizes.map((_, i) => client.api.getStreams('token', String(i), 'live')));
      sets.forEach((set, i) => {
        const expected = streamSet(sizes[i]!);
        expect(JSON.stringify(expected).length).toBeGreaterThan(65_536);
        expect((set?.time as { data?: unknown } | undefined)?.data).toEqual(expected.time.data);
        expect((set?.watts as { data?: unknown } | undefined)?.data).toEqual(expected.watts.data);
      });
    }
    // One request per stream set: nothing failed and was retried.
    expect(upstream.requests()).toBe(sizes.length * 3);
  });
});
