import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/context.ts';
import { createPostgresGate, RateLimitWaitError } from './rate-limit/postgres-gate.ts';
import { createStravaClient, toStravaActivity } from './strava-client.ts';
import { StravaUnauthorizedError } from './strava-port.ts';

// Strava's wire format (INTEGRATIONS.md), written out by hand rather than produced by our own fake.
describe('Strava activity JSON', () => {
  it('keeps start_date_local as wall-clock time despite its "Z", and takes the zone out of "(GMT…) Zone"', () => {
    const a = toStravaActivity({
      id: 12_345_678_901,
      name: 'Evening Run',
      sport_type: 'TrailRun',
      type: 'Run',
      start_date: '2026-11-26T04:30:00Z',
      start_date_local: '2026-11-25T20:30:00Z',
      timezone: '(GMT-08:00) America/Los_Angeles',
      utc_offset: -28800,
      distance: 10_000.4,
      moving_time: 3000,
      elapsed_time: 3100,
      total_elevation_gain: 120,
      manual: false,
      private: false,
    });
    expect(a).toMatchObject({
      id: '12345678901',
      sportType: 'TrailRun',
      startDateLocal: '2026-11-25 20:30:00',
      timezone: 'America/Los_Angeles',
    });
    expect(a.startDate.toISOString()).toBe('2026-11-26T04:30:00.000Z');
  });

  it('falls back to the deprecated type without sport_type, and keeps unknown sports as they are', () => {
    const base = {
      id: 7,
      name: 'x',
      start_date: '2026-11-25T00:00:01Z',
      // A hidden start time: midnight + 1 s, still on its local day.
      start_date_local: '2026-11-25T00:00:01Z',
      timezone: '(GMT+00:00) Europe/London',
    };
    expect(toStravaActivity({ ...base, type: 'Ride' }).sportType).toBe('Ride');
    expect(toStravaActivity({ ...base, sport_type: 'Pickleball', type: 'Workout' }).sportType).toBe(
      'Pickleball',
    );
    const hidden = toStravaActivity({ ...base, manual: true });
    expect(hidden.startDateLocal).toBe('2026-11-25 00:00:01');
    expect(hidden.manual).toBe(true);
  });
});

describe('Strava client against answers written by hand', () => {
  let database: TestDatabase;
  let server: Server;
  let url = '';
  let respond: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  beforeAll(async () => {
    database = await createTestDatabase();
    server = createServer((req, res) => respond(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await database.drop();
  });

  const client = (clock: () => Date) =>
    createStravaClient({
      apiUrl: `${url}/api/v3`,
      oauthUrl: `${url}/oauth`,
      clientId: '1',
      clientSecret: 's',
      gate: createPostgresGate(database.db, clock),
      now: clock,
      baseDelayMs: 1,
    });

  it('a 429 with the daily limit spent waits for midnight UTC, not for the next quarter hour', async () => {
    const clock = () => new Date('2026-11-25T17:20:00Z');
    respond = (_req, res) => {
      res.writeHead(429, {
        'content-type': 'application/json',
        'x-ratelimit-limit': '200,2000',
        'x-ratelimit-usage': '20,2001',
        'x-readratelimit-limit': '100,1000',
        'x-readratelimit-usage': '10,1001',
      });
      res.end(
        JSON.stringify({
          message: 'Rate Limit Exceeded',
          errors: [{ resource: 'Application', field: 'rate limit', code: 'exceeded' }],
        }),
      );
    };
    const error = await client(clock)
      .api.listActivities('t', { page: 1, perPage: 200 }, 'live')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitWaitError);
    expect((error as RateLimitWaitError).reason).toBe('daily');
    expect((error as RateLimitWaitError).retryAt.toISOString()).toBe('2026-11-26T00:00:00.000Z');
  });

  it('tells a missing activity scope apart from a refused token', async () => {
    const clock = () => new Date('2026-11-26T09:00:00Z');
    let body = {};
    respond = (_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    body = {
      message: 'Authorization Error',
      errors: [{ resource: 'AccessToken', field: 'activity:read_permission', code: 'missing' }],
    };
    const scope = await client(clock)
      .api.getActivity('t', '1', 'live')
      .catch((e: unknown) => e);
    expect(scope).toBeInstanceOf(StravaUnauthorizedError);
    expect((scope as StravaUnauthorizedError).missingScope).toBe(true);
    body = {
      message: 'Authorization Error',
      errors: [{ resource: 'Athlete', field: 'access_token', code: 'invalid' }],
    };
    const expired = await client(clock)
      .api.getActivity('t', '1', 'live')
      .catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(StravaUnauthorizedError);
    expect((expired as StravaUnauthorizedError).missingScope).toBe(false);
  });
});
