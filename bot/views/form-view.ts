import type { LoadSeriesDay } from '../../db/queries/daily-load.ts';
import { num, signed } from '../../lib/format.ts';
import type { EmbedSpec } from '../../lib/presentation/reply.ts';
import { type FormZone, formReading } from '../../metrics/pmc.ts';

/** Embed colour per form zone: the same hues as the PMC chart's shading. */
const formZoneColors: Record<FormZone, number> = {
  transition: 0xb39ddb,
  fresh: 0x4ea8ff,
  neutral: 0xb5bac1,
  optimal: 0x43b581,
  high_risk: 0xf04747,
};

export interface FormFacts {
  date: string;
  ctl: number;
  atl: number;
  tsb: number;
  /** CTL today minus CTL seven days ago. */
  ramp: number;
  /** Stress of the last 7 days, today included. */
  weekStress: number;
  zone: FormZone;
  reading: string;
}

/** Today's numbers from a load series that ends today (null when the athlete has no load yet). */
export function formFacts(series: LoadSeriesDay[]): FormFacts | null {
  const today = series.at(-1);
  if (!today) return null;
  const reading = formReading(today.tsb);
  return {
    date: today.date,
    ctl: today.ctl,
    atl: today.atl,
    tsb: today.tsb,
    ramp: today.ramp,
    weekStress: series.slice(-7).reduce((sum, day) => sum + day.stress, 0),
    zone: reading.zone,
    reading: reading.label,
  };
}

/** What the numbers mean, the way a coach would say it, for the embed footer. */
const explanation =
  'Fitness (CTL) is your 42-day training load, fatigue (ATL) your 7-day load; form (TSB) is yesterday’s fitness minus fatigue.';

export function formEmbed(facts: FormFacts, image: string | null): EmbedSpec {
  const rampNote =
    facts.ramp > 8 ? ' — steep, watch recovery' : facts.ramp < -5 ? ' — fitness is slipping' : '';
  return {
    title: `Form ${signed(facts.tsb, 0)} — ${facts.reading}`,
    color: formZoneColors[facts.zone],
    fields: [
      { name: 'Fitness (CTL)', value: num(facts.ctl, 1), inline: true },
      { name: 'Fatigue (ATL)', value: num(facts.atl, 1), inline: true },
      { name: 'Form (TSB)', value: signed(facts.tsb, 1), inline: true },
      { name: 'Ramp (7 days)', value: `${signed(facts.ramp, 1)} CTL${rampNote}`, inline: true },
      { name: 'Stress, last 7 days', value: num(facts.weekStress), inline: true },
    ],
    ...(image ? { image } : {}),
    footer: explanation,
  };
}
