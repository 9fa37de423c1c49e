/** What code outside coach/ that only wants advice imports (the digest and the workout message). */
export { coachAdvice } from './coach.ts';
