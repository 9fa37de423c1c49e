import type { FormFacts } from '../views/form-view.ts';

/**
 * One sentence of advice from the form reading alone: what the digest says when no AI coach is
 * configured (or it failed). Deliberately conservative; the numbers it rests on are in the same message.
 */
export function ruleBasedAdvice(facts: FormFacts): string {
  const steepRamp = facts.ramp > 8;
  switch (facts.zone) {
    case 'high_risk':
      return 'Fatigue is well above fitness: make today easy or a rest day, and sleep well before the next hard session.';
    case 'optimal':
      return steepRamp
        ? 'You are building well but fitness is climbing fast: keep today’s intensity in check and plan a lighter day soon.'
        : 'You are in the productive training zone: a quality session fits today if you feel good.';
    case 'neutral':
      return 'Form is balanced: a normal training day, with intensity if your plan calls for it.';
    case 'fresh':
      return 'You are fresh: a good day for a key workout or a race.';
    case 'transition':
      return 'You have rested a lot: fitness will start to slip without some training load this week.';
  }
}
