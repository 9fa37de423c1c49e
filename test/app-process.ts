import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateFernetKey } from '../lib/fernet.ts';
import type { DiscordFake } from './fakes/discord/discord-fake.ts';
import type { StravaFake } from './fakes/strava/strava-fake.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
export const compiledEntry = `${root}dist/main.js`;
/** The Node flags production runs with (Dockerfile, docker-compose.yml, `npm run start:prod`). */
export const productionNodeFlags = ['--max-semi-space-size=1', '--optimize-for-size'];

export interface AppProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves when the process said it is ready (banner or `ready` log line: every service started). */
  ready: Promise<void>;
  /** Everything the process wrote, for failure messages. */
  output: () => string;
  /** Resident and peak resident memory in KB, from /proc (Linux). */
  memory: () => { rssKb: number; peakKb: number };
  /** User + system CPU time the process has used so far, in ms (Linux /proc, 10 ms ticks). */
  cpuMs: () => number;
  /** SIGTERM (graceful) or SIGKILL, then waits for the exit. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * The settings that point a real app process at the fakes: Strava and (when given) Discord configured,
 * logs as JSON on stdout. Same token key across processes, since they share one database.
 */
export function fakeEnv(options: {
  databaseUrl: string;
  port: number;
  strava: StravaFake;
  discord?: DiscordFake;
  discordToken?: string;
  webhookSecret: string;
  verifyToken: string;
  tokenKey?: string;
}): Record<string, string> {
  return {
    DATABASE_URL: options.databaseUrl,
    PORT: String(options.port),
    PUBLIC_URL: `http://127.0.0.1:${options.port}`,
    STRAVA_CLIENT_ID: options.strava.clientId,
    STRAVA_CLIENT_SECRET: options.strava.clientSecret,
    STRAVA_WEBHOOK_SECRET: options.webhookSecret,
    STRAVA_VERIFY_TOKEN: options.verifyToken,
    STRAVA_API_URL: options.strava.apiUrl,
    STRAVA_OAUTH_URL: options.strava.oauthUrl,
    TOKEN_ENCRYPTION_KEY: options.tokenKey ?? generateFernetKey(),
    ...(options.discord
      ? {
          DISCORD_TOKEN: options.discordToken ?? 'fake-bot-token',
          DISCORD_APP_ID: options.discord.appId,
          DISCORD_API_URL: options.discord.apiUrl,
        }
      : {}),
  };
}

/**
 * `cli start --only <services>` as its own process: the compiled build (dist/) when `compiled`, else
 * the TypeScript sources through tsx. Only the given environment (plus PATH and HOME) reaches it, so a
 * developer's shell or .env settings cannot leak in.
 */
export function spawnApp(options: {
  services: string[];
  env: Record<string, string>;
  compiled?: boolean;
  logLevel?: string;
  /** Node flags before the entry point (default: production's for the compiled build, none for tsx). */
  nodeFlags?: string[];
}): AppProcess {
  if (options.compiled && !existsSync(compiledEntry)) throw new Error('no dist/main.js: run `npm run build`');
  const entry = options.compiled ? [compiledEntry] : ['--import', 'tsx', `${root}cli/main.ts`];
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeFlags ?? (options.compiled ? productionNodeFlags : [])),
      ...entry,
      'start',
      '--only',
      options.services.join(','),
    ],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        LOG_LEVEL: options.logLevel ?? 'warn',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    // The latest 64 KB: a long-running process under load writes a log line per request.
    const keep = (text: string) => {
      output = (output + text).slice(-65_536);
    };
    let announced = false;
    const onData = (chunk: Buffer) => {
      keep(chunk.toString());
      // A terminal gets the banner; elsewhere the JSON line `"msg":"ready"` says the same.
      if (!announced && (output.includes('Threshold is running') || output.includes('"msg":"ready"'))) {
        announced = true;
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => keep(chunk.toString()));
    void exited.then((code) => reject(new Error(`app exited with ${code} before ready:\n${output}`)));
  });
  ready.catch(() => {});
  const pid = child.pid!;
  return {
    child,
    pid,
    ready,
    output: () => output,
    memory: () => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
      return { rssKb: kb('VmRSS'), peakKb: kb('VmHWM') };
    },
    cpuMs: () => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat; after the command name they sit at 11 and 12.
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    exited,
  };
}
