import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type Request, type Response } from 'express';
import { seededRandom } from '../../../lib/seeded-random.ts';
import { type GeneratedActivity, generateActivity } from './generate-streams.ts';

/**
 * A Strava that behaves like Strava, on loopback: OAuth (authorize, token exchange and refresh with
 * rotating refresh tokens, deauthorize), the API v3 endpoints the product uses, push subscriptions with
 * the real validation GET, webhook delivery, rate limits with Strava's headers on 15-minute and daily
 * windows of an injectable clock, and fault injection. Wire formats follow INTEGRATIONS.md.
 */

export interface FakeAthlete {
  id: number;
  firstname: string;
  lastname: string;
  sex: 'M' | 'F';
}

export interface FakeActivity {
  id: number;
  athleteId: number;
  name: string;
  sportType: string;
  startDate: Date;
  /** Offset of local time from UTC, seconds. */
  utcOffset: number;
  timezone: string;
  distance: number;
  movingTime: number;
  elapsedTime: number;
  elevationGain: number;
  manual: boolean;
  private: boolean;
  streams: GeneratedActivity['streams'] | null;
}

/** `reset`: the connection is dropped without an answer; `slow`: answered correctly after `timeoutMs`. */
type FaultKind = '500' | '503' | 'timeout' | '429' | 'reset' | 'slow';

export interface StravaFakeOptions {
  clientId?: string;
  clientSecret?: string;
  limits?: { overall15: number; overallDay: number; read15: number; readDay: number };
  now?: Date;
}

const errorBody = (message: string, resource: string, field: string, code: string) => ({
  message,
  errors: [{ resource, field, code }],
});

export async function startStravaFake(options: StravaFakeOptions = {}) {
  const clientId = options.clientId ?? '12345';
  const clientSecret = options.clientSecret ?? 'fake-client-secret';
  let limits = options.limits ?? { overall15: 200, overallDay: 2000, read15: 100, readDay: 1000 };
  let now = options.now ?? new Date();
  let nextId = 1_000_000_000 + Math.floor(Math.random() * 1000) * 1_000_000;
  const athletes = new Map<number, FakeAthlete>();
  const activities = new Map<number, FakeActivity>();
  const codes = new Map<string, { athleteId: number; scope: string; used: boolean }>();
  const accessTokens = new Map<
    string,
    { athleteId: number; scope: string; expiresAt: number; refreshToken: string }
  >();
  const refreshTokens = new Map<string, { athleteId: number; scope: string; accessToken: string }>();
  let subscription: { id: number; callbackUrl: string; verifyToken: string } | null = null;
  let authorize: {
    athleteId: number | null;
    behaviour: 'approve' | 'deny' | 'approve_without_activity_scope';
  } = {
    athleteId: null,
    behaviour: 'approve',
  };
  let faults: { rate: number; kinds: FaultKind[]; random: () => number; timeoutMs: number } | null = null;
  let athleteLimitReached = false;
  const usage = { window: 0, day: 0, overall15: 0, overallDay: 0, read15: 0, readDay: 0 };
  const counters = {
    requests: {} as Record<string, number>,
    served429: 0,
    refreshes: new Map<number, number>(),
    faults: 0,
  };
  const windowsUsed = new Set<number>();
  // Strava cuts pages before it drops what this token may not list, so a page can be short without being
  // the last one.
  const hiddenFromList = new Set<number>();

  const nowMs = () => now.getTime();
  const epoch = () => Math.floor(nowMs() / 1000);

  function rollWindows() {
    const window = Math.floor(nowMs() / 900_000);
    const day = Math.floor(nowMs() / 86_400_000);
    if (window !== usage.window) Object.assign(usage, { window, overall15: 0, read15: 0 });
    if (day !== usage.day) Object.assign(usage, { day, overallDay: 0, readDay: 0 });
  }

  function rateHeaders(res: Response) {
    res.setHeader('X-RateLimit-Limit', `${limits.overall15},${limits.overallDay}`);
    res.setHeader('X-RateLimit-Usage', `${usage.overall15},${usage.overallDay}`);
    res.setHeader('X-ReadRateLimit-Limit', `${limits.read15},${limits.readDay}`);
    res.setHeader('X-ReadRateLimit-Usage', `${usage.read15},${usage.readDay}`);
  }

  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());

  // Rate limits and faults apply to the API, not to OAuth.
  app.use('/api/v3', async (req, res, next) => {
    const key = `${req.method} ${req.path.replace(/\d+/g, ':id')}`;
    counters.requests[key] = (counters.requests[key] ?? 0) + 1;
    if (req.path.startsWith('/push_subscriptions')) return next();
    rollWindows();
    // Refused requests count too (Strava: they still count toward the day).
    usage.overall15++;
    usage.overallDay++;
    usage.read15++;
    usage.readDay++;
    windowsUsed.add(usage.window);
    rateHeaders(res);
    if (
      usage.overall15 > limits.overall15 ||
      usage.overallDay > limits.overallDay ||
      usage.read15 > limits.read15 ||
      usage.readDay > limits.readDay
    ) {
      counters.served429++;
      res.status(429).json(errorBody('Rate Limit Exceeded', 'Application', 'rate limit', 'exceeded'));
      return;
    }
    if (faults && faults.random() < faults.rate) {
      counters.faults++;
      const kind = faults.kinds[Math.floor(faults.random() * faults.kinds.length)]!;
      if (kind === 'timeout') {
        await sleep(faults.timeoutMs);
        if (!res.headersSent && !res.destroyed) res.status(504).json({ message: 'timeout' });
        return;
      }
      if (kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (kind === 'slow') {
        await sleep(faults.timeoutMs);
        next();
        return;
      }
      if (kind === '429') {
        counters.served429++;
        res.status(429).json(errorBody('Rate Limit Exceeded', 'Application', 'rate limit', 'exceeded'));
        return;
      }
      res.status(Number(kind)).json({ message: 'Internal Server Error' });
      return;
    }
    next();
  });

  function bearer(
    req: Request,
    res: Response,
    needActivityScope: boolean,
  ): { athleteId: number; scope: string } | null {
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const entry = accessTokens.get(token);
    if (!entry || entry.expiresAt <= epoch()) {
      res.status(401).json(errorBody('Authorization Error', 'Athlete', 'access_token', 'invalid'));
      return null;
    }
    if (
      needActivityScope &&
      !entry.scope.split(',').includes('activity:read_all') &&
      !entry.scope.split(',').includes('activity:read')
    ) {
      res
        .status(401)
        .json(errorBody('Authorization Error', 'AccessToken', 'activity:read_permission', 'missing'));
      return null;
    }
    return entry;
  }

  function activityJson(a: FakeActivity) {
    const local = new Date(a.startDate.getTime() + a.utcOffset * 1000);
    return {
      resource_state: 2,
      athlete: { id: a.athleteId, resource_state: 1 },
      name: a.name,
      distance: a.distance,
      moving_time: a.movingTime,
      elapsed_time: a.elapsedTime,
      total_elevation_gain: a.elevationGain,
      type: a.sportType,
      sport_type: a.sportType,
      id: a.id,
      start_date: a.startDate.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      // Strava's trap, reproduced: local wall-clock time with a "Z".
      start_date_local: local.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      timezone: a.timezone,
      utc_offset: a.utcOffset,
      manual: a.manual,
      private: a.private,
      visibility: a.private ? 'only_me' : 'everyone',
      trainer: false,
      commute: false,
      device_watts: a.streams?.watts !== undefined,
    };
  }

  // --- OAuth ---
  app.get('/oauth/authorize', (req, res) => {
    const redirectUri = String(req.query.redirect_uri ?? '');
    const state = String(req.query.state ?? '');
    if (String(req.query.client_id) !== clientId || !redirectUri) {
      res.status(400).json(errorBody('Bad Request', 'Application', 'client_id', 'invalid'));
      return;
    }
    const target = new URL(redirectUri);
    target.searchParams.set('state', state);
    if (authorize.behaviour === 'deny') {
      target.searchParams.set('error', 'access_denied');
      res.redirect(302, target.toString());
      return;
    }
    const athleteId = authorize.athleteId ?? [...athletes.keys()][0] ?? addAthlete().id;
    const scope =
      authorize.behaviour === 'approve_without_activity_scope' ? 'read' : String(req.query.scope ?? 'read');
    const code = randomBytes(20).toString('hex');
    codes.set(code, { athleteId, scope, used: false });
    target.searchParams.set('code', code);
    target.searchParams.set('scope', scope);
    res.redirect(302, target.toString());
  });

  function issue(athleteId: number, scope: string) {
    const access = randomBytes(20).toString('hex');
    const refresh = randomBytes(20).toString('hex');
    const expiresAt = epoch() + 21_600;
    accessTokens.set(access, { athleteId, scope, expiresAt, refreshToken: refresh });
    refreshTokens.set(refresh, { athleteId, scope, accessToken: access });
    return { access, refresh, expiresAt };
  }

  app.post('/oauth/token', (req, res) => {
    const body = req.body as Record<string, string>;
    if (body.client_id !== clientId || body.client_secret !== clientSecret) {
      res.status(401).json(errorBody('Bad Request', 'Application', 'client_secret', 'invalid'));
      return;
    }
    if (body.grant_type === 'authorization_code') {
      const entry = codes.get(body.code ?? '');
      if (!entry || entry.used) {
        res.status(400).json(errorBody('Bad Request', 'AuthorizationCode', 'code', 'invalid'));
        return;
      }
      entry.used = true;
      if (athleteLimitReached) {
        res
          .status(403)
          .json(errorBody('Limit of connected athletes exceeded', 'Athlete', 'athlete', 'limit exceeded'));
        return;
      }
      const athlete = athletes.get(entry.athleteId)!;
      const t = issue(entry.athleteId, entry.scope);
      res.json({
        token_type: 'Bearer',
        expires_at: t.expiresAt,
        expires_in: 21_600,
        refresh_token: t.refresh,
        access_token: t.access,
        athlete: {
          id: athlete.id,
          firstname: athlete.firstname,
          lastname: athlete.lastname,
          sex: athlete.sex,
          resource_state: 2,
        },
      });
      return;
    }
    if (body.grant_type === 'refresh_token') {
      const entry = refreshTokens.get(body.refresh_token ?? '');
      if (!entry) {
        res.status(400).json(errorBody('Bad Request', 'RefreshToken', 'refresh_token', 'invalid'));
        return;
      }
      counters.refreshes.set(entry.athleteId, (counters.refreshes.get(entry.athleteId) ?? 0) + 1);
      const current = accessTokens.get(entry.accessToken);
      if (current && current.expiresAt - epoch() > 3600) {
        // More than an hour left: Strava returns the same tokens.
        res.json({
          token_type: 'Bearer',
          access_token: entry.accessToken,
          expires_at: current.expiresAt,
          expires_in: current.expiresAt - epoch(),
          refresh_token: body.refresh_token,
        });
        return;
      }
      // A new refresh token invalidates the old one immediately.
      refreshTokens.delete(body.refresh_token!);
      accessTokens.delete(entry.accessToken);
      const t = issue(entry.athleteId, entry.scope);
      res.json({
        token_type: 'Bearer',
        access_token: t.access,
        expires_at: t.expiresAt,
        expires_in: 21_600,
        refresh_token: t.refresh,
      });
      return;
    }
    res.status(400).json(errorBody('Bad Request', 'Application', 'grant_type', 'invalid'));
  });

  app.post('/oauth/deauthorize', (req, res) => {
    const token =
      (req.body as Record<string, string>).access_token ??
      (req.get('authorization') ?? '').replace(/^Bearer /, '');
    const entry = accessTokens.get(token);
    if (!entry) {
      res.status(401).json(errorBody('Authorization Error', 'Athlete', 'access_token', 'invalid'));
      return;
    }
    revokeAthlete(entry.athleteId);
    res.json({ access_token: token });
  });

  function revokeAthlete(athleteId: number) {
    for (const [token, entry] of accessTokens) if (entry.athleteId === athleteId) accessTokens.delete(token);
    for (const [token, entry] of refreshTokens)
      if (entry.athleteId === athleteId) refreshTokens.delete(token);
  }

  // --- API ---
  app.get('/api/v3/athlete', (req, res) => {
    const auth = bearer(req, res, false);
    if (!auth) return;
    const a = athletes.get(auth.athleteId)!;
    res.json({ id: a.id, firstname: a.firstname, lastname: a.lastname, sex: a.sex, resource_state: 2 });
  });

  app.get('/api/v3/athlete/activities', (req, res) => {
    const auth = bearer(req, res, true);
    if (!auth) return;
    const perPage = Math.min(200, Math.max(1, Number(req.query.per_page ?? 30) || 30));
    const page = Math.max(1, Number(req.query.page ?? 1) || 1);
    const before = req.query.before !== undefined ? Number(req.query.before) : null;
    const after = req.query.after !== undefined ? Number(req.query.after) : null;
    const list = [...activities.values()]
      .filter((a) => a.athleteId === auth.athleteId)
      .filter(
        (a) =>
          (before === null || a.startDate.getTime() / 1000 < before) &&
          (after === null || a.startDate.getTime() / 1000 > after),
      )
      .sort((x, y) => y.startDate.getTime() - x.startDate.getTime() || y.id - x.id)
      .slice((page - 1) * perPage, page * perPage)
      .filter((a) => !hiddenFromList.has(a.id))
      .map(activityJson);
    res.json(list);
  });

  app.get('/api/v3/activities/:id', (req, res) => {
    const auth = bearer(req, res, true);
    if (!auth) return;
    const a = activities.get(Number(req.params.id));
    if (!a || a.athleteId !== auth.athleteId) {
      res.status(404).json(errorBody('Record Not Found', 'Activity', 'id', 'invalid'));
      return;
    }
    res.json({
      ...activityJson(a),
      resource_state: 3,
      description: null,
      calories: Math.round(a.movingTime / 3),
    });
  });

  app.get('/api/v3/activities/:id/streams', (req, res) => {
    const auth = bearer(req, res, true);
    if (!auth) return;
    const a = activities.get(Number(req.params.id));
    if (!a || a.athleteId !== auth.athleteId || a.manual || !a.streams) {
      res.status(404).json(errorBody('Record Not Found', 'Activity', 'id', 'invalid'));
      return;
    }
    const keys = String(req.query.keys ?? '')
      .split(',')
      .filter(Boolean);
    const chosen = Object.fromEntries(
      Object.entries(a.streams).filter(
        ([type]) => keys.length === 0 || keys.includes(type) || type === 'distance',
      ),
    );
    if (req.query.key_by_type === 'true') res.json(chosen);
    else res.json(Object.entries(chosen).map(([type, s]) => ({ type, ...s })));
  });

  // --- Push subscriptions ---
  app.post('/api/v3/push_subscriptions', async (req, res) => {
    const body = req.body as Record<string, string>;
    if (body.client_id !== clientId || body.client_secret !== clientSecret) {
      res.status(401).json(errorBody('Authorization Error', 'Application', 'client_secret', 'invalid'));
      return;
    }
    if (subscription) {
      res.status(400).json(errorBody('Bad Request', 'PushSubscription', 'already exists', 'already exists'));
      return;
    }
    const callbackUrl = body.callback_url ?? '';
    if (!callbackUrl || callbackUrl.length > 255) {
      res.status(400).json(errorBody('Bad Request', 'PushSubscription', 'callback_url', 'invalid'));
      return;
    }
    const challenge = randomBytes(16).toString('hex');
    const url = new URL(callbackUrl);
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.challenge', challenge);
    url.searchParams.set('hub.verify_token', body.verify_token ?? '');
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const json = (await answer.json()) as Record<string, unknown>;
      if (answer.status !== 200 || json['hub.challenge'] !== challenge) throw new Error('bad challenge');
    } catch {
      res
        .status(400)
        .json(
          errorBody(
            'Bad Request',
            'PushSubscription',
            'callback url',
            'GET to callback URL does not return 200',
          ),
        );
      return;
    }
    subscription = {
      id: Math.floor(100000 + Math.random() * 900000),
      callbackUrl,
      verifyToken: body.verify_token ?? '',
    };
    res.status(201).json({ id: subscription.id });
  });

  app.get('/api/v3/push_subscriptions', (req, res) => {
    if (req.query.client_id !== clientId || req.query.client_secret !== clientSecret) {
      res.status(401).json(errorBody('Authorization Error', 'Application', 'client_secret', 'invalid'));
      return;
    }
    res.json(
      subscription
        ? [
            {
              id: subscription.id,
              resource_state: 2,
              application_id: Number(clientId),
              callback_url: subscription.callbackUrl,
              created_at: now.toISOString(),
              updated_at: now.toISOString(),
            },
          ]
        : [],
    );
  });

  app.delete('/api/v3/push_subscriptions/:id', (req, res) => {
    if (req.query.client_id !== clientId || req.query.client_secret !== clientSecret) {
      res.status(401).json(errorBody('Authorization Error', 'Application', 'client_secret', 'invalid'));
      return;
    }
    if (!subscription || subscription.id !== Number(req.params.id)) {
      res.status(404).json(errorBody('Record Not Found', 'PushSubscription', 'id', 'invalid'));
      return;
    }
    subscription = null;
    res.status(204).end();
  });

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function addAthlete(athlete: Partial<FakeAthlete> = {}): FakeAthlete {
    const id = athlete.id ?? 100_000 + athletes.size + 1;
    const created: FakeAthlete = {
      id,
      firstname: athlete.firstname ?? 'Alex',
      lastname: athlete.lastname ?? `Rider${id}`,
      sex: athlete.sex ?? 'M',
    };
    athletes.set(id, created);
    return created;
  }

  function addActivity(
    athleteId: number,
    spec: {
      sport?: 'Ride' | 'Run' | 'Swim' | 'VirtualRide' | 'Walk';
      durationS?: number;
      startDate?: Date;
      name?: string;
      manual?: boolean;
      private?: boolean;
      seed?: number;
      timezone?: string;
      utcOffset?: number;
      streams?: GeneratedActivity['streams'];
    } = {},
  ): FakeActivity {
    const id = nextId++;
    const sport = spec.sport ?? 'Ride';
    const generated = generateActivity({ seed: spec.seed ?? id, sport, durationS: spec.durationS ?? 1800 });
    const activity: FakeActivity = {
      id,
      athleteId,
      name: spec.name ?? `${sport} ${id}`,
      sportType: sport,
      startDate: spec.startDate ?? new Date(nowMs() - 3600_000),
      utcOffset: spec.utcOffset ?? 3600,
      timezone: spec.timezone ?? '(GMT+01:00) Europe/Paris',
      distance: generated.distanceM,
      movingTime: generated.movingTimeS,
      elapsedTime: generated.elapsedTimeS,
      elevationGain: generated.elevationGainM,
      manual: spec.manual ?? false,
      private: spec.private ?? false,
      streams: spec.manual ? null : (spec.streams ?? generated.streams),
    };
    activities.set(id, activity);
    return activity;
  }

  async function deliver(event: {
    object_type: 'activity' | 'athlete';
    object_id: number;
    aspect_type: 'create' | 'update' | 'delete';
    owner_id: number;
    updates?: Record<string, string>;
  }): Promise<number> {
    if (!subscription) throw new Error('no push subscription: create one first');
    const body = {
      ...event,
      updates: event.updates ?? {},
      subscription_id: subscription.id,
      event_time: epoch(),
    };
    const response = await fetch(subscription.callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.body?.cancel();
    return response.status;
  }

  return {
    url,
    apiUrl: `${url}/api/v3`,
    oauthUrl: `${url}/oauth`,
    clientId,
    clientSecret,
    counters,
    /** Distinct 15-minute windows in which the API was called. */
    windowsUsed,
    now: () => now,
    setNow: (date: Date) => {
      now = date;
    },
    advance: (ms: number) => {
      now = new Date(nowMs() + ms);
    },
    setLimits: (next: typeof limits) => {
      limits = next;
    },
    addAthlete,
    addActivity,
    /** Many activities, one a day going back from now, with varied sports and some manual entries. */
    addHistory: (athleteId: number, count: number, options: { durationS?: number } = {}) => {
      const random = seededRandom(athleteId);
      const created: FakeActivity[] = [];
      for (let i = 0; i < count; i++) {
        const sport = random() < 0.6 ? 'Ride' : random() < 0.85 ? 'Run' : 'Swim';
        created.push(
          addActivity(athleteId, {
            sport,
            durationS: options.durationS ?? 600 + Math.floor(random() * 1800),
            startDate: new Date(nowMs() - (i + 1) * 86_400_000 - Math.floor(random() * 3600_000)),
            manual: random() < 0.05,
            seed: athleteId * 10_000 + i,
          }),
        );
      }
      return created;
    },
    activity: (id: number) => activities.get(id),
    updateActivity: (id: number, changes: Partial<Pick<FakeActivity, 'name' | 'sportType' | 'private'>>) => {
      const a = activities.get(id);
      if (!a) throw new Error(`no activity ${id}`);
      Object.assign(a, changes);
      return a;
    },
    deleteActivity: (id: number) => activities.delete(id),
    /** Leaves the activity out of list pages (its page comes back short), as Strava does for some. */
    hideFromList: (id: number) => hiddenFromList.add(id),
    authorizeAs: (athleteId: number | null, behaviour: typeof authorize.behaviour = 'approve') => {
      authorize = { athleteId, behaviour };
    },
    /** Expires the athlete's current access tokens (as if 6 hours had passed for them). */
    expireTokens: (athleteId: number) => {
      for (const entry of accessTokens.values())
        if (entry.athleteId === athleteId) entry.expiresAt = epoch() - 1;
    },
    /** The athlete revokes access on strava.com: every token stops working. */
    revoke: revokeAthlete,
    setAthleteLimitReached: (reached: boolean) => {
      athleteLimitReached = reached;
    },
    injectFaults: (spec: { rate: number; kinds: FaultKind[]; seed?: number; timeoutMs?: number } | null) => {
      faults = spec
        ? {
            rate: spec.rate,
            kinds: spec.kinds,
            random: seededRandom(spec.seed ?? 7),
            timeoutMs: spec.timeoutMs ?? 1_500,
          }
        : null;
    },
    subscription: () => subscription,
    deliver,
    /** Plaintext tokens the fake has issued (to check none reaches the database). */
    issuedTokens: () => [...accessTokens.keys(), ...refreshTokens.keys()],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type StravaFake = Awaited<ReturnType<typeof startStravaFake>>;
