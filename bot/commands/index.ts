import type { BotContext } from '../bot-context.ts';
import type { SlashCommand } from '../command.ts';
import activity from './activity.ts';
import coach from './coach.ts';
import connect from './connect.ts';
import curve from './curve.ts';
import digest from './digest.ts';
import disconnect from './disconnect.ts';
import exportData from './export.ts';
import form from './form.ts';
import goal from './goal.ts';
import help from './help.ts';
import importExport from './import.ts';
import plan from './plan/plan.ts';
import settings from './settings.ts';
import status from './status.ts';
import sync from './sync.ts';
import upload from './upload.ts';
import week from './week.ts';

/** Every slash command, keyed by its name when loaded. */
export const slashCommands = [
  help,
  connect,
  disconnect,
  sync,
  status,
  settings,
  form,
  week,
  activity,
  curve,
  digest,
  coach,
  upload,
  importExport,
  plan,
  goal,
  exportData,
] as unknown as SlashCommand<BotContext>[];
