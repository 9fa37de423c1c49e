import type { LazyCliCommand } from '../command.ts';

/**
 * Every operator command, in the order `--help` lists them. Only names and summaries live here; a
 * command's module (and whatever it imports: discord.js, pg-boss, openai...) loads when it runs, so
 * `cli analyze` does not pay for the bot. command-index.test.ts keeps these summaries in step.
 */
export const commands: LazyCliCommand[] = [
  {
    name: 'start',
    summary: 'Run the web service, workers and Discord bot (all by default) until stopped',
    load: () => import('./start.ts'),
  },
  {
    name: 'migrate',
    summary: 'Apply pending database migrations (also done automatically at start)',
    load: () => import('./migrate.ts'),
  },
  {
    name: 'analyze',
    summary: 'Analyse an activity file (Strava streams JSON or FIT) and print its metrics as JSON',
    load: () => import('./analyze.ts'),
  },
  {
    name: 'pmc',
    summary: 'Compute the Performance Management Chart (CTL, ATL, TSB, ramp) from daily stress in a CSV',
    load: () => import('./pmc.ts'),
  },
  {
    name: 'connect-link',
    summary: 'Print a one-time Strava connect link for a Discord user',
    load: () => import('./connect-link.ts'),
  },
  {
    name: 'athlete',
    summary: "Print an athlete's connection, thresholds, recent activities and today's form as JSON",
    load: () => import('./athlete.ts'),
  },
  {
    name: 'sync',
    summary: "Backfill a Discord user's Strava history, printing progress until done",
    load: () => import('./sync.ts'),
  },
  {
    name: 'disconnect',
    summary: "Disconnect a Discord user's Strava account and delete its Strava data",
    load: () => import('./disconnect.ts'),
  },
  {
    name: 'export',
    summary: "Write all of a Discord user's data (what /export DMs them) to a ZIP file",
    load: () => import('./export.ts'),
  },
  {
    name: 'import-export',
    summary: "Import a Strava bulk export ZIP into a Discord user's history",
    load: () => import('./import-export.ts'),
  },
  {
    name: 'jobs',
    summary: 'List quarantined and failed background jobs, or retry one',
    load: () => import('./jobs.ts'),
  },
  {
    name: 'strava-subscription',
    summary: "Create, show or delete the application's Strava webhook subscription",
    load: () => import('./strava-subscription.ts'),
  },
  {
    name: 'discord-register',
    summary: 'Register the slash commands with Discord (one guild for development, or global)',
    load: () => import('./discord-register.ts'),
  },
  {
    name: 'generate-key',
    summary: 'Print a new Fernet key for TOKEN_ENCRYPTION_KEY',
    load: () => import('./generate-key.ts'),
  },
  {
    name: 'demo',
    summary: 'Load a demo athlete with a season of training (or remove it with --remove)',
    load: () => import('./demo.ts'),
  },
];
