import type { BotContext } from '../bot/bot-context.ts';
import { createModelClient } from '../coach/openai-client.ts';
import { webhookCallbackUrl } from '../ingest/webhook/subscription.ts';
import type { Config } from '../lib/config.ts';

/** ok: the live check passed; fail: it did not; off: the feature is off; unchecked: it cannot be told. */
type CheckState = 'ok' | 'fail' | 'off' | 'unchecked';

interface CheckLine {
  label: string;
  state: CheckState;
  detail: string;
}

export interface FeatureStatus {
  name: string;
  on: boolean;
  /** The variables that turn it on (or tune it). */
  turnedOnBy: string;
  /** What is set, in words (never a secret). */
  summary: string;
  checks: CheckLine[];
}

const timeoutMs = 5_000;

/**
 * Every feature with its switch and, where one is possible, a live check against the configured
 * service (Discord REST, Strava, the model endpoint, PUBLIC_URL). Never throws: a failure is a line.
 */
export async function featureStatuses(deps: BotContext): Promise<FeatureStatus[]> {
  const { config } = deps;
  const [discord, strava, coach, publicUrl] = await Promise.all([
    discordChecks(config),
    stravaChecks(deps),
    coachChecks(config),
    publicUrlCheck(config),
  ]);
  const retention = config.strava?.streamRetentionDays ?? null;
  const statuses: FeatureStatus[] = [
    {
      name: 'Discord bot',
      on: config.discord !== null,
      turnedOnBy: 'DISCORD_TOKEN, DISCORD_APP_ID',
      summary: config.discord
        ? `application ${config.discord.appId}, commands ${config.discord.devGuildId ? `in server ${config.discord.devGuildId}` : 'global'}`
        : 'off: the console’s chat panel still answers',
      checks: discord,
    },
    {
      name: 'Strava',
      on: config.strava !== null,
      turnedOnBy:
        'STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET, STRAVA_WEBHOOK_SECRET, STRAVA_VERIFY_TOKEN, TOKEN_ENCRYPTION_KEY',
      summary: config.strava
        ? `client ${config.strava.clientId}`
        : 'off: uploads and export imports still work',
      checks: [...strava, publicUrl],
    },
    {
      name: 'AI coach',
      on: config.coach.apiKey !== null,
      turnedOnBy: 'OPENAI_API_KEY (OPENAI_BASE_URL, OPENAI_MODEL)',
      summary: config.coach.apiKey
        ? `model ${config.coach.model} at ${config.coach.baseUrl ?? 'OpenAI'}, ${config.coach.dailyTokenBudget} tokens per athlete per day`
        : 'off: the rule-based coach answers',
      checks: coach,
    },
    {
      name: 'QuickChart',
      on: config.quickchartUrl !== null,
      turnedOnBy: 'QUICKCHART_URL',
      summary: config.quickchartUrl
        ? `charts render at ${config.quickchartUrl} (in process when it fails)`
        : 'off: charts render in process',
      checks: [],
    },
    {
      name: 'Stream retention',
      on: retention !== null,
      turnedOnBy: 'STRAVA_STREAM_RETENTION_DAYS',
      summary:
        retention !== null
          ? `raw Strava API streams older than ${retention} days are deleted nightly${retention > 7 ? ' (Strava’s policy allows 7)' : ''}`
          : 'off: Strava API streams are kept',
      checks: [],
    },
    {
      name: 'AI firewall',
      on: config.coach.stravaData === 'exclude',
      turnedOnBy: 'COACH_STRAVA_DATA=exclude',
      summary:
        config.coach.stravaData === 'exclude'
          ? 'nothing derived from Strava API data reaches the model'
          : 'off: the model may read Strava API data',
      checks: [],
    },
  ];
  // An error text may echo a request: no configured secret reaches the page.
  const secrets = secretsOf(config);
  for (const status of statuses)
    for (const check of status.checks) check.detail = scrub(check.detail, secrets);
  return statuses;
}

function secretsOf(config: Config): string[] {
  return [
    config.discord?.token,
    config.strava?.clientSecret,
    config.strava?.webhookSecret,
    config.strava?.verifyToken,
    config.coach.apiKey,
    config.console.password,
    ...(config.tokenEncryptionKeys ?? []),
  ].filter((s): s is string => typeof s === 'string' && s.length >= 4);
}

export function scrub(text: string, secrets: string[]): string {
  let clean = text;
  for (const secret of secrets) clean = clean.split(secret).join('[redacted]');
  return clean;
}

async function discordChecks(config: Config): Promise<CheckLine[]> {
  const discord = config.discord;
  if (!discord) return [{ label: 'Token', state: 'off', detail: 'not configured' }];
  const base = `${discord.apiUrl}/v10`;
  const headers = { authorization: `Bot ${discord.token}` };
  const lines: CheckLine[] = [];
  try {
    const response = await fetch(`${base}/applications/@me`, {
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      lines.push({ label: 'Token', state: 'fail', detail: `Discord answered ${response.status}` });
      return lines;
    }
    const app = (await response.json()) as { id?: string; name?: string };
    const sameApp = app.id === discord.appId;
    lines.push({
      label: 'Token',
      state: sameApp ? 'ok' : 'fail',
      detail: sameApp
        ? `valid for “${app.name ?? app.id}”`
        : `valid, but for application ${app.id}, not DISCORD_APP_ID`,
    });
    const path = discord.devGuildId
      ? `/applications/${discord.appId}/guilds/${discord.devGuildId}/commands`
      : `/applications/${discord.appId}/commands`;
    const commands = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!commands.ok) {
      lines.push({ label: 'Commands', state: 'fail', detail: `Discord answered ${commands.status}` });
      return lines;
    }
    const registered = new Set(((await commands.json()) as { name: string }[]).map((c) => c.name));
    // Every command's module (charts, the coach...) loads only when this check runs, not with the web.
    const { slashCommands } = await import('../bot/commands/index.ts');
    const missing = slashCommands.map((c) => c.data.name).filter((name) => !registered.has(name));
    lines.push({
      label: 'Commands',
      state: missing.length === 0 ? 'ok' : 'fail',
      detail:
        missing.length === 0
          ? `all ${slashCommands.length} registered`
          : `not registered: ${missing.map((n) => `/${n}`).join(', ')} — run \`cli discord-register\``,
    });
  } catch (error) {
    lines.push({ label: 'Discord', state: 'fail', detail: `not reachable: ${reason(error)}` });
  }
  return lines;
}

async function stravaChecks(deps: BotContext): Promise<CheckLine[]> {
  const strava = deps.config.strava;
  const client = deps.strava?.client;
  if (!strava || !client) return [{ label: 'Credentials', state: 'off', detail: 'not configured' }];
  try {
    const subscriptions = await client.subscriptions.view();
    const expected = webhookCallbackUrl(deps.config.publicUrl, strava.webhookSecret);
    const ours = subscriptions.find((s) => s.callback_url === expected);
    return [
      { label: 'Credentials', state: 'ok', detail: 'accepted by Strava' },
      {
        label: 'Push subscription',
        state: ours ? 'ok' : 'fail',
        detail: ours
          ? `present (id ${ours.id})`
          : subscriptions.length > 0
            ? `one exists for another callback URL — recreate it: \`cli strava-subscription delete\`, then \`create\``
            : 'none — run `cli strava-subscription create` once PUBLIC_URL is reachable',
      },
    ];
  } catch (error) {
    return [{ label: 'Credentials', state: 'fail', detail: `refused or unreachable: ${reason(error)}` }];
  }
}

async function coachChecks(config: Config): Promise<CheckLine[]> {
  const client = createModelClient(config.coach, { timeoutMs, maxRetries: 0 });
  if (!client) return [{ label: 'Model', state: 'off', detail: 'not configured' }];
  try {
    const models = [];
    for await (const model of client.models.list()) {
      models.push(model.id);
      if (models.length >= 1000) break;
    }
    const found = models.includes(config.coach.model);
    return [
      {
        label: 'Model',
        state: found ? 'ok' : 'fail',
        detail: found
          ? `the endpoint answers and serves ${config.coach.model}`
          : `the endpoint answers but does not list ${config.coach.model} (it lists ${models.slice(0, 5).join(', ') || 'none'})`,
      },
    ];
  } catch (error) {
    return [{ label: 'Model', state: 'fail', detail: `the endpoint did not answer: ${reason(error)}` }];
  }
}

/** A loopback or private host cannot be reached by Strava; from here, reachability from outside cannot be proven. */
async function publicUrlCheck(config: Config): Promise<CheckLine> {
  const url = new URL(config.publicUrl);
  const host = url.hostname;
  const local =
    host === 'localhost' ||
    host === '0.0.0.0' ||
    host.endsWith('.local') ||
    /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|\[?::1\]?$)/.test(host);
  if (local) {
    return {
      label: 'PUBLIC_URL',
      state: 'unchecked',
      detail: `${config.publicUrl} is a local address: Strava cannot reach it (not checked)`,
    };
  }
  try {
    const response = await fetch(`${config.publicUrl}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok
      ? {
          label: 'PUBLIC_URL',
          state: 'ok',
          detail: `${config.publicUrl}/healthz answers from this machine (reachability from outside not checked)`,
        }
      : {
          label: 'PUBLIC_URL',
          state: 'fail',
          detail: `${config.publicUrl}/healthz answered ${response.status}`,
        };
  } catch (error) {
    return {
      label: 'PUBLIC_URL',
      state: 'fail',
      detail: `${config.publicUrl} not reachable: ${reason(error)}`,
    };
  }
}

function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, 200);
}
