import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from './config-error.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const url = (what: string) =>
  z
    .string()
    .trim()
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
      message: `must be an http(s) URL (${what})`,
    })
    .transform((value) => value.replace(/\/+$/, ''));

const positiveInt = (what: string) =>
  z.string().trim().regex(/^\d+$/, `must be a whole number (${what})`).transform(Number);

const snowflake = z
  .string()
  .trim()
  .regex(/^\d{17,20}$/, 'must be a Discord id (17–20 digits)');

/** Every setting, parsed once from the environment. Feature groups decide what is required. */
const EnvSchema = z.object({
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .refine((value) => /^postgres(ql)?:\/\//.test(value), { message: 'must start with postgres://' })
      .optional(),
  ),
  PUBLIC_URL: optionalText.pipe(url('where Strava and browsers reach the web service').optional()),
  PORT: optionalText.pipe(
    positiveInt('TCP port')
      .refine((port) => port >= 1 && port <= 65535, 'must be between 1 and 65535')
      .optional(),
  ),
  LOG_LEVEL: optionalText.pipe(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  ),

  DISCORD_TOKEN: optionalText,
  DISCORD_APP_ID: optionalText.pipe(snowflake.optional()),
  DISCORD_DEV_GUILD_ID: optionalText.pipe(snowflake.optional()),
  DISCORD_API_URL: optionalText.pipe(url("Discord's REST base").optional()),
  OPERATOR_DISCORD_USER_ID: optionalText.pipe(snowflake.optional()),

  STRAVA_CLIENT_ID: optionalText.pipe(z.string().regex(/^\d+$/, 'must be the numeric client id').optional()),
  STRAVA_CLIENT_SECRET: optionalText,
  STRAVA_WEBHOOK_SECRET: optionalText.pipe(
    z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{16,}$/,
        'must be at least 16 URL-safe characters (it is part of the callback path)',
      )
      .optional(),
  ),
  STRAVA_VERIFY_TOKEN: optionalText,
  STRAVA_API_URL: optionalText.pipe(url("Strava's API base").optional()),
  STRAVA_OAUTH_URL: optionalText.pipe(url("Strava's OAuth base").optional()),
  STRAVA_STREAM_RETENTION_DAYS: optionalText.pipe(positiveInt('days').optional()),
  TOKEN_ENCRYPTION_KEY: optionalText.pipe(
    z
      .string()
      .refine(
        (value) =>
          value.split(',').every((key) => {
            const bytes = Buffer.from(key.trim(), 'base64url');
            return bytes.length === 32 && /^[A-Za-z0-9_=-]+$/.test(key.trim());
          }),
        { message: 'must be one or more comma-separated Fernet keys (32 bytes, URL-safe base64 each)' },
      )
      .optional(),
  ),

  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalText.pipe(url('OpenAI-compatible API base').optional()),
  OPENAI_MODEL: optionalText,
  OPENAI_TIMEOUT_SECONDS: optionalText.pipe(
    positiveInt('seconds per model request')
      .refine((n) => n >= 1 && n <= 600, 'must be between 1 and 600 seconds')
      .optional(),
  ),
  COACH_DAILY_TOKEN_BUDGET: optionalText.pipe(positiveInt('tokens per athlete per day').optional()),
  COACH_STRAVA_DATA: optionalText.pipe(z.enum(['include', 'exclude']).optional()),

  QUICKCHART_URL: optionalText.pipe(url('QuickChart server').optional()),

  CONSOLE_PASSWORD: optionalText.pipe(
    z.string().min(12, 'must be at least 12 characters (it guards the operator console)').optional(),
  ),
});

type Env = z.infer<typeof EnvSchema>;

/** The parsed configuration. Feature sections are null when their variables are not set. */
export interface Config {
  databaseUrl: string | null;
  port: number;
  publicUrl: string;
  logLevel: NonNullable<Env['LOG_LEVEL']>;
  discord: {
    token: string;
    appId: string;
    devGuildId: string | null;
    apiUrl: string;
    /** The operator's Discord user, DMed about problems only the operator can fix (Strava's athlete cap). */
    operatorUserId: string | null;
  } | null;
  strava: {
    clientId: string;
    clientSecret: string;
    webhookSecret: string;
    verifyToken: string;
    apiUrl: string;
    oauthUrl: string;
    streamRetentionDays: number | null;
  } | null;
  /** Fernet keys, newest first: encrypt with the first, decrypt with any. */
  tokenEncryptionKeys: string[] | null;
  coach: {
    apiKey: string | null;
    baseUrl: string | null;
    model: string;
    /** Per model request; retries come on top. */
    timeoutMs: number;
    dailyTokenBudget: number;
    stravaData: 'include' | 'exclude';
  };
  quickchartUrl: string | null;
  /** The operator console: a password to log in with, besides the one-time link printed at start. */
  console: { password: string | null };
  /** Features that are off, with the variables that would turn them on. */
  disabled: { feature: string; missing: string[] }[];
}

export { ConfigError } from './config-error.ts';

const featureVariables = {
  discord: ['DISCORD_TOKEN', 'DISCORD_APP_ID'],
  strava: [
    'STRAVA_CLIENT_ID',
    'STRAVA_CLIENT_SECRET',
    'STRAVA_WEBHOOK_SECRET',
    'STRAVA_VERIFY_TOKEN',
    'TOKEN_ENCRYPTION_KEY',
  ],
} as const satisfies Record<string, readonly (keyof Env)[]>;

/**
 * Parses the environment once. Malformed values are errors; absent feature groups only switch the
 * feature off (listed in `disabled`), so the metrics CLI needs no variables at all.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '?');
      return `${variable}: ${issue.message}${exampleHint(variable)}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  const e = parsed.data;
  const disabled: Config['disabled'] = [];
  const group = (feature: keyof typeof featureVariables) => {
    const missing = featureVariables[feature].filter((name) => e[name] === undefined);
    if (missing.length > 0) disabled.push({ feature, missing });
    return missing.length === 0;
  };
  const port = e.PORT ?? 3000;
  const discordOn = group('discord');
  const stravaOn = group('strava');
  if (!e.OPENAI_API_KEY) disabled.push({ feature: 'coach-ai', missing: ['OPENAI_API_KEY'] });
  return {
    databaseUrl: e.DATABASE_URL ?? null,
    port,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${port}`,
    logLevel: e.LOG_LEVEL ?? 'info',
    discord: discordOn
      ? {
          token: e.DISCORD_TOKEN!,
          appId: e.DISCORD_APP_ID!,
          devGuildId: e.DISCORD_DEV_GUILD_ID ?? null,
          apiUrl: e.DISCORD_API_URL ?? 'https://discord.com/api',
          operatorUserId: e.OPERATOR_DISCORD_USER_ID ?? null,
        }
      : null,
    strava: stravaOn
      ? {
          clientId: e.STRAVA_CLIENT_ID!,
          clientSecret: e.STRAVA_CLIENT_SECRET!,
          webhookSecret: e.STRAVA_WEBHOOK_SECRET!,
          verifyToken: e.STRAVA_VERIFY_TOKEN!,
          apiUrl: e.STRAVA_API_URL ?? 'https://www.strava.com/api/v3',
          oauthUrl: e.STRAVA_OAUTH_URL ?? 'https://www.strava.com/oauth',
          streamRetentionDays: e.STRAVA_STREAM_RETENTION_DAYS ?? null,
        }
      : null,
    tokenEncryptionKeys: e.TOKEN_ENCRYPTION_KEY
      ? e.TOKEN_ENCRYPTION_KEY.split(',').map((key) => key.trim())
      : null,
    coach: {
      apiKey: e.OPENAI_API_KEY ?? null,
      baseUrl: e.OPENAI_BASE_URL ?? null,
      model: e.OPENAI_MODEL ?? 'gpt-4o-mini',
      timeoutMs: (e.OPENAI_TIMEOUT_SECONDS ?? 45) * 1000,
      dailyTokenBudget: e.COACH_DAILY_TOKEN_BUDGET ?? 50_000,
      stravaData: e.COACH_STRAVA_DATA ?? 'include',
    },
    quickchartUrl: e.QUICKCHART_URL ?? null,
    console: { password: e.CONSOLE_PASSWORD ?? null },
    disabled,
  };
}

/** For a command that cannot work without a feature: throws naming every missing variable. */
export function requireFeature<K extends 'discord' | 'strava'>(
  config: Config,
  feature: K,
): NonNullable<Config[K]> {
  const section = config[feature];
  if (section) return section as NonNullable<Config[K]>;
  const missing = config.disabled.find((entry) => entry.feature === feature)?.missing ?? [];
  throw new ConfigError(missing.map((name) => `${name}: required for ${feature}${exampleHint(name)}`));
}

/** One line per feature that is off, naming the variables that turn it on. */
export function describeDisabled(config: Config): string[] {
  const what: Record<string, string> = {
    discord: 'Discord bot is off',
    strava: 'Strava connect, webhooks and sync are off',
    'coach-ai': 'AI coach is off (the rule-based coach answers instead)',
  };
  return config.disabled.map(
    ({ feature, missing }) => `${what[feature] ?? feature}: set ${missing.join(', ')}`,
  );
}

let exampleLines: string[] | null = null;
function exampleHint(variable: string): string {
  try {
    exampleLines ??= readFileSync(`${repoRoot}.env.example`, 'utf8').split('\n');
  } catch {
    exampleLines = [];
  }
  const index = exampleLines.findIndex((line) => line.replace(/^#\s*/, '').startsWith(`${variable}=`));
  return index >= 0 ? ` (see .env.example line ${index + 1})` : '';
}
