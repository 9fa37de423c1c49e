import { duration, num } from '../../lib/format.ts';
import type { CliJson } from '../../metrics/cli-json.ts';
import { sportFamily } from '../../metrics/sport.ts';
import type { EmbedSpec } from '../reply.ts';
import { distanceText, durationLabel, elevationText, paceText, speedText, type Units } from './units.ts';

export interface ActivityViewInput {
  name: string;
  sport: string;
  startDateLocal: string;
  source: string;
  movingS: number | null;
  distanceM: number | null;
  elevationM: number | null;
  streamsState: string;
  stress: number | null;
  method: string | null;
  metrics: Partial<CliJson> | null;
  units: Units;
}

const methodNames: Record<string, string> = {
  power: 'TSS from power',
  pace: 'rTSS from pace',
  swim: 'sTSS from swim pace',
  hr: 'hrTSS from heart rate',
  estimated: 'estimated from duration',
};

/** The zone names every reply and chart uses (Coggan power, Friel heart rate). */
export { hrZoneNames, powerZoneNames } from '../../charts/zones-chart.ts';

const peakDurations = ['5', '60', '300', '1200', '3600'];

/** The metrics embed of one activity: stress with its method, the intensity numbers of its sport, HR, peaks. */
export function activityEmbed(input: ActivityViewInput, image: string | null): EmbedSpec {
  const m = input.metrics ?? {};
  const family = sportFamily(input.sport);
  const summary = [
    input.movingS !== null ? duration(input.movingS) : null,
    input.distanceM ? distanceText(input.distanceM, input.units) : null,
    input.elevationM ? `${elevationText(input.elevationM, input.units)} up` : null,
  ].filter(Boolean);
  const fields: NonNullable<EmbedSpec['fields']> = [];
  fields.push({
    name: 'Stress',
    value:
      input.stress !== null
        ? `**${num(input.stress)}** (${methodNames[input.method ?? ''] ?? input.method})`
        : 'not computed yet',
    inline: true,
  });
  if (m.power) {
    const p = m.power;
    const parts = [`avg ${fmt(p.avg, 0)} W`, p.np !== null ? `NP ${fmt(p.np, 0)} W` : null];
    if (p.if !== null) parts.push(`IF ${fmt(p.if, 2)}`);
    if (p.vi !== null) parts.push(`VI ${fmt(p.vi, 2)}`);
    fields.push({ name: 'Power', value: parts.filter(Boolean).join(' · '), inline: true });
  }
  if (m.pace?.ngp_speed) {
    const parts = [`NGP ${paceText(m.pace.ngp_speed, input.units)}`];
    if (m.pace.if !== null) parts.push(`IF ${fmt(m.pace.if, 2)}`);
    fields.push({ name: 'Pace', value: parts.join(' · '), inline: true });
  } else if (input.distanceM && input.movingS && family !== 'ride') {
    fields.push({
      name: 'Pace',
      value: paceText(input.distanceM / input.movingS, input.units),
      inline: true,
    });
  } else if (input.distanceM && input.movingS) {
    fields.push({
      name: 'Speed',
      value: speedText(input.distanceM / input.movingS, input.units),
      inline: true,
    });
  }
  if (m.hr) {
    fields.push({
      name: 'Heart rate',
      value: `avg ${fmt(m.hr.avg, 0)} · max ${fmt(m.hr.max, 0)} bpm`,
      inline: true,
    });
  }
  if (m.decoupling_pct !== null && m.decoupling_pct !== undefined) {
    const d = m.decoupling_pct;
    const note = d < 5 ? 'aerobically steady' : d < 10 ? 'some drift' : 'large drift';
    fields.push({ name: 'Decoupling', value: `${num(d, 1)} % (${note})`, inline: true });
  }
  if (m.power?.ef !== null && m.power?.ef !== undefined) {
    fields.push({ name: 'Efficiency', value: `EF ${num(m.power.ef, 2)} W/bpm`, inline: true });
  }
  const peaks = m.peaks?.power ?? {};
  const peakText = peakDurations
    .filter((d) => typeof peaks[d] === 'number')
    .map((d) => `${durationLabel(Number(d))} **${Math.round(peaks[d]!)} W**`);
  if (peakText.length > 0) fields.push({ name: 'Peak power', value: peakText.join(' · ') });
  const notes: string[] = [];
  if (input.streamsState === 'none')
    notes.push('No streams (manual entry): stress is estimated from duration.');
  if (input.streamsState === 'purged')
    notes.push('Raw streams removed by the retention policy; metrics kept.');
  return {
    title: input.name || 'Activity',
    description: [
      `${input.sport} · ${input.startDateLocal.replace('T', ' ').slice(0, 16)}`,
      summary.join(' · '),
      ...notes,
    ]
      .filter(Boolean)
      .join('\n'),
    color: 0xfc5200,
    fields,
    ...(image ? { image } : {}),
    footer: input.source === 'strava_api' ? 'Powered by Strava' : `Source: ${input.source.replace('_', ' ')}`,
  };
}

function fmt(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? '—' : num(value, digits);
}
