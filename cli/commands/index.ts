import type { CliCommand } from '../command.ts';
import analyze from './analyze.ts';
import athlete from './athlete.ts';
import connectLink from './connect-link.ts';
import disconnect from './disconnect.ts';
import discordRegister from './discord-register.ts';
import exportData from './export.ts';
import generateKey from './generate-key.ts';
import importExport from './import-export.ts';
import jobs from './jobs.ts';
import migrate from './migrate.ts';
import pmc from './pmc.ts';
import start from './start.ts';
import stravaSubscription from './strava-subscription.ts';
import sync from './sync.ts';

/** Every operator command, in the order `--help` lists them. */
export const commands: CliCommand[] = [
  start,
  migrate,
  analyze,
  pmc,
  connectLink,
  athlete,
  sync,
  disconnect,
  exportData,
  importExport,
  jobs,
  stravaSubscription,
  discordRegister,
  generateKey,
];
