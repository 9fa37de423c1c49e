/** The coach's public surface: the bot, the DM handler and the digest use only these. */
export {
  answerCoachQuestion,
  type CoachAnswer,
  type CoachContext,
  type CoachOptions,
  coachAdvice,
  resetCoach,
} from './coach.ts';
export { splitForDiscord } from './split-for-discord.ts';
