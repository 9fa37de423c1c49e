import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';

export default defineCommand<BotContext, z.ZodObject>({
  data: new SlashCommandBuilder()
    .setName('help')
    .setDescription('What Threshold does and how to start')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .toJSON(),
  options: z.object({}),
  execute: async () => ({
    personal: false,
    embeds: [
      {
        title: 'Threshold — your training load, in chat',
        color: 0x5865f2,
        description:
          'Threshold reads your workouts from Strava, turns them into training load (TSS, CTL, ATL, TSB) and answers your questions from those numbers. Everything about you is shown only to you: in servers replies are private, in DMs they are normal messages.',
        fields: [
          {
            name: '1. Connect',
            value:
              '`/connect` links your Strava account; your last 30 activities are imported. No Strava? `/upload` a FIT, TCX or GPX file, or `/import` your Strava export.',
          },
          {
            name: '2. Set thresholds',
            value:
              '`/settings ftp:250 lthr:168 run_pace:4:30` — stress scores need them. Not sure? `/settings` offers estimates from your own history.',
          },
          {
            name: '3. Look',
            value:
              '`/form` today’s form and the PMC chart · `/week` the week per sport · `/activity` one workout · `/curve` your power curve',
          },
          { name: '4. Ask', value: 'DM me a question, or `/coach question:` in a server.' },
          {
            name: '5. Plan',
            value:
              '`/plan add` workouts, `/plan week` plan vs done, `/goal set` a race: `/form` then forecasts race-day form.',
          },
          {
            name: 'More',
            value:
              '`/sync` import more history · `/status` the health of your data · `/digest` preview the daily DM · `/settings` thresholds, time zone, digest · `/export` all your data · `/disconnect`',
          },
        ],
        footer: 'Activity data Powered by Strava',
      },
    ],
  }),
});
