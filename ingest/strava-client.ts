import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import {
  AthleteLimitReachedError,
  type ExchangedTokens,
  type StravaOAuthPort,
} from './connect/oauth-port.ts';
import {
  dayStartOf,
  parseRateLimitHeaders,
  type RequestPriority,
  windowStartOf,
} from './rate-limit/budget.ts';
import { type RateLimitGate, RateLimitWaitError } from './rate-limit/postgres-gate.ts';
import type { StravaActivity, StravaApi } from './strava-port.ts';
import { StravaNotFoundError, StravaUnauthorizedError } from './strava-port.ts';
import { RefreshRejectedError, type TokenRefresher } from './tokens/access-tokens.ts';

/** Every stream channel the product reads (INTEGRATIONS.md), asked for in one call. */
const streamKeys = [
  'time',
  'distance',
  'latlng',
  'altitude',
  'velocity_smooth',
  'heartrate',
  'cadence',
  'watts',
  'temp',
  'moving',
  'grade_smooth',
] as const;

/** Strava answered, but not usefully, after every retry (5xx, timeouts, connection errors). */
class StravaUnavailableError extends Error {
  override name = 'StravaUnavailableError';
}

/** A 4xx other than 401/404/429: our request was wrong, retrying cannot help. */
class StravaRequestError extends Error {
  override name = 'StravaRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const StravaActivityJson = z.object({
  id: z.number().int().positive(),
  name: z.string().default(''),
  sport_type: z.string().optional(),
  type: z.string().optional(),
  start_date: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'start_date must be a date'),
  start_date_local: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/, 'start_date_local must be a date-time'),
  timezone: z.string().nullish(),
  distance: z.number().nullish(),
  moving_time: z.number().nullish(),
  elapsed_time: z.number().nullish(),
  total_elevation_gain: z.number().nullish(),
  manual: z.boolean().default(false),
  private: z.boolean().default(false),
});

const TokenJson = z.object({
  token_type: z.string().optional(),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_at: z.number().int().positive(),
  expires_in: z.number().optional(),
  athlete: z
    .object({
      id: z.number().int().positive(),
      firstname: z.string().nullish(),
      lastname: z.string().nullish(),
      sex: z.string().nullish(),
    })
    .optional(),
});

const StreamSetJson = z.record(
  z.string(),
  z
    .object({
      data: z.array(z.unknown()),
      series_type: z.string().optional(),
      original_size: z.number().optional(),
    })
    .passthrough(),
);

const SubscriptionJson = z
  .object({ id: z.number().int().positive(), callback_url: z.string().optional() })
  .passthrough();

/** "(GMT-08:00) America/Los_Angeles" → "America/Los_Angeles". */
function parseStravaTimezone(value: string | null | undefined): string | null {
  if (!value) return null;
  const zone = value.replace(/^\([^)]*\)\s*/, '').trim();
  return zone.length > 0 ? zone : null;
}

export function toStravaActivity(json: unknown): StravaActivity {
  const a = StravaActivityJson.parse(json);
  return {
    id: String(a.id),
    name: a.name,
    sportType: a.sport_type ?? a.type ?? 'Workout',
    startDate: new Date(a.start_date),
    // start_date_local is local wall-clock time even though it ends in "Z".
    startDateLocal: a.start_date_local.slice(0, 19).replace('T', ' '),
    timezone: parseStravaTimezone(a.timezone),
    distanceM: a.distance ?? null,
    movingTimeS: a.moving_time ?? null,
    elapsedTimeS: a.elapsed_time ?? null,
    elevationGainM: a.total_elevation_gain ?? null,
    manual: a.manual,
    private: a.private,
    raw: json as Record<string, unknown>,
  };
}

export interface StravaClientOptions {
  apiUrl: string;
  oauthUrl: string;
  clientId: string;
  clientSecret: string;
  gate: RateLimitGate;
  timeoutMs?: number;
  /** Attempts for 5xx, timeouts and connection errors (429 is never retried at once). */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt, with jitter. */
  baseDelayMs?: number;
  now?: () => Date;
}

/** A Strava answer read in full: the body is taken off the socket before anything else is awaited. */
interface StravaResponse {
  status: number;
  ok: boolean;
  text: string;
}

export interface StravaClient {
  api: StravaApi;
  oauth: StravaOAuthPort;
  refresher: TokenRefresher;
  subscriptions: {
    create: (callbackUrl: string, verifyToken: string) => Promise<{ id: number }>;
    view: () => Promise<{ id: number; callback_url?: string }[]>;
    remove: (id: number) => Promise<void>;
  };
  /** Requests sent per endpoint kind, for logs and the "API calls per activity" figure. */
  calls: Record<string, number>;
}

export function createStravaClient(options: StravaClientOptions): StravaClient {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const now = options.now ?? (() => new Date());
  const calls: Record<string, number> = {};

  async function send(
    endpoint: string,
    priority: RequestPriority,
    url: string,
    init: { method: string; token?: string; form?: Record<string, string> },
    // OAuth endpoints are not part of the API's rate limits; everything under the API base is.
    gated = true,
  ): Promise<StravaResponse> {
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (gated) await options.gate.acquire('read', priority);
      calls[endpoint] = (calls[endpoint] ?? 0) + 1;
      const sentAt = now();
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          method: init.method,
          headers: {
            accept: 'application/json',
            ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
            ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          },
          body: init.form ? new URLSearchParams(init.form).toString() : undefined,
          signal: AbortSignal.timeout(timeoutMs),
        });
        // Read the body before awaiting anything else (the budget write below): a body left unread while
        // the server closes the connection crashed the whole process inside undici (nodejs/undici#5360).
        text = await response.text();
      } catch (error) {
        lastError = error;
        if (attempt < maxAttempts) await backoff(attempt);
        continue;
      }
      const limits = parseRateLimitHeaders((name) => response.headers.get(name));
      await options.gate.observe(limits, response.status, sentAt);
      if (response.status === 429) {
        // Honour it: wait for the next window (the next day when the daily limit is spent), never retry at once.
        const dayExceeded = [limits.overall, limits.read].some(
          (l) => l !== undefined && l.usageDay >= l.limitDay,
        );
        if (dayExceeded)
          throw new RateLimitWaitError(new Date(dayStartOf(now()).getTime() + 86_400_000), 'daily');
        throw new RateLimitWaitError(new Date(windowStartOf(now()).getTime() + 15 * 60_000), '15min');
      }
      if (response.status >= 500) {
        lastError = new Error(`Strava answered ${response.status}`);
        if (attempt < maxAttempts) await backoff(attempt);
        continue;
      }
      return { status: response.status, ok: response.ok, text };
    }
    throw new StravaUnavailableError(
      `Strava ${endpoint} failed after ${maxAttempts} attempts: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    );
  }

  async function backoff(attempt: number) {
    const delay = baseDelayMs * 2 ** (attempt - 1);
    await sleep(delay / 2 + Math.random() * delay);
  }

  async function json(
    endpoint: string,
    priority: RequestPriority,
    url: string,
    token: string,
  ): Promise<unknown> {
    const response = await send(endpoint, priority, url, { method: 'GET', token });
    return readJson(endpoint, response);
  }

  function readJson(endpoint: string, response: StravaResponse): unknown {
    const { text } = response;
    if (response.status === 401) {
      const missingScope = text.includes('activity:read_permission');
      throw new StravaUnauthorizedError(
        missingScope
          ? 'Strava token lacks the activity:read_all scope'
          : `Strava refused the token (${endpoint})`,
        missingScope,
      );
    }
    if (response.status === 404) throw new StravaNotFoundError(`Strava has no such resource (${endpoint})`);
    if (!response.ok)
      throw new StravaRequestError(response.status, `Strava ${endpoint} answered ${response.status}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new StravaUnavailableError(`Strava ${endpoint} answered with malformed JSON`);
    }
  }

  async function tokenCall(form: Record<string, string>): Promise<z.infer<typeof TokenJson>> {
    const response = await send(
      'oauth_token',
      'live',
      `${options.oauthUrl}/token`,
      { method: 'POST', form: { client_id: options.clientId, client_secret: options.clientSecret, ...form } },
      false,
    );
    const { text } = response;
    if (response.status === 400 || response.status === 401) {
      if (form.grant_type === 'refresh_token')
        throw new RefreshRejectedError('Strava rejected the refresh token');
      throw new StravaRequestError(response.status, 'Strava rejected the authorization code');
    }
    if (response.status === 403 && /limit/i.test(text))
      throw new AthleteLimitReachedError('athlete limit reached');
    if (!response.ok)
      throw new StravaRequestError(response.status, `Strava token endpoint answered ${response.status}`);
    return TokenJson.parse(JSON.parse(text));
  }

  const api: StravaApi = {
    listActivities: async (token, query, priority) => {
      const params = new URLSearchParams({
        page: String(query.page),
        per_page: String(Math.min(200, query.perPage)),
      });
      if (query.before !== undefined) params.set('before', String(query.before));
      if (query.after !== undefined) params.set('after', String(query.after));
      const body = await json(
        'list_activities',
        priority,
        `${options.apiUrl}/athlete/activities?${params}`,
        token,
      );
      return z.array(z.unknown()).parse(body).map(toStravaActivity);
    },
    getActivity: async (token, id, priority) =>
      toStravaActivity(
        await json('get_activity', priority, `${options.apiUrl}/activities/${encodeURIComponent(id)}`, token),
      ),
    getStreams: async (token, id, priority) => {
      const url = `${options.apiUrl}/activities/${encodeURIComponent(id)}/streams?keys=${streamKeys.join(',')}&key_by_type=true`;
      try {
        return StreamSetJson.parse(await json('get_streams', priority, url, token));
      } catch (error) {
        if (error instanceof StravaNotFoundError) return null;
        throw error;
      }
    },
  };

  const oauth: StravaOAuthPort = {
    authorizeUrl: ({ redirectUri, state }) => {
      const params = new URLSearchParams({
        client_id: options.clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        approval_prompt: 'auto',
        scope: 'read,activity:read_all',
        state,
      });
      return `${options.oauthUrl}/authorize?${params}`;
    },
    exchangeCode: async (code): Promise<ExchangedTokens> => {
      const t = await tokenCall({ code, grant_type: 'authorization_code' });
      if (!t.athlete) throw new StravaRequestError(200, 'token response without athlete');
      const sex = t.athlete.sex === 'M' ? 'male' : t.athlete.sex === 'F' ? 'female' : null;
      return {
        accessToken: t.access_token,
        refreshToken: t.refresh_token,
        expiresAt: new Date(t.expires_at * 1000),
        athlete: {
          id: t.athlete.id,
          firstname: t.athlete.firstname ?? null,
          lastname: t.athlete.lastname ?? null,
          sex,
        },
      };
    },
    deauthorize: async (accessToken) => {
      const response = await send(
        'oauth_deauthorize',
        'live',
        `${options.oauthUrl}/deauthorize`,
        { method: 'POST', form: { access_token: accessToken } },
        false,
      );
      // 401: the token is already dead, which is what deauthorizing wants.
      if (!response.ok && response.status !== 401)
        throw new StravaRequestError(response.status, 'deauthorize failed');
    },
  };

  const refresher: TokenRefresher = {
    refresh: async (refreshToken) => {
      const t = await tokenCall({ refresh_token: refreshToken, grant_type: 'refresh_token' });
      return {
        accessToken: t.access_token,
        refreshToken: t.refresh_token,
        expiresAt: new Date(t.expires_at * 1000),
      };
    },
  };

  const credentials = { client_id: options.clientId, client_secret: options.clientSecret };
  const subscriptions: StravaClient['subscriptions'] = {
    create: async (callbackUrl, verifyToken) => {
      const response = await send('push_subscriptions', 'live', `${options.apiUrl}/push_subscriptions`, {
        method: 'POST',
        form: { ...credentials, callback_url: callbackUrl, verify_token: verifyToken },
      });
      const { text } = response;
      if (!response.ok)
        throw new StravaRequestError(
          response.status,
          `Strava refused the subscription: ${text.slice(0, 300)}`,
        );
      return SubscriptionJson.parse(JSON.parse(text));
    },
    view: async () => {
      const response = await send(
        'push_subscriptions',
        'live',
        `${options.apiUrl}/push_subscriptions?${new URLSearchParams(credentials)}`,
        { method: 'GET' },
      );
      return z.array(SubscriptionJson).parse(await readJson('push_subscriptions', response));
    },
    remove: async (id) => {
      const response = await send(
        'push_subscriptions',
        'live',
        `${options.apiUrl}/push_subscriptions/${id}?${new URLSearchParams(credentials)}`,
        { method: 'DELETE' },
      );
      if (!response.ok)
        throw new StravaRequestError(response.status, `Strava refused to delete subscription ${id}`);
    },
  };

  return { api, oauth, refresher, subscriptions, calls };
}
