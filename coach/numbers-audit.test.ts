import { describe, expect, it } from 'vitest';
import { auditNumbers, evidenceValues, removeUntraceableSentences } from './numbers-audit.ts';

const form = JSON.stringify({
  date: '2026-11-01',
  ctl_fitness: 61.4,
  atl_fatigue: 81.5,
  tsb_form: -22.6,
  ramp_ctl_per_7_days: 5.2,
  stress_last_7_days_tss: 512,
  reading: 'productive training',
});
const thresholds = JSON.stringify({
  in_effect: { ftp_w: 265, lthr_bpm: 168, max_hr_bpm: 190, threshold_run_pace_per_km: '4:30' },
  history: [
    { kind: 'ftp', value: 250, from: '2026-05-01', source: 'manual' },
    { kind: 'ftp', value: 265, from: '2026-08-01', source: 'manual' },
  ],
  power_zones_w: [
    { zone: 1, from: 0, to: 146 },
    { zone: 2, from: 146, to: 199 },
  ],
});
const activities = JSON.stringify({
  count: 2,
  totals: { distance_km: 63.4, moving_time: '2:10:00', stress_tss: 152 },
  activities: [
    {
      id: '4711',
      date: '2026-10-27',
      name: 'Tempo',
      distance_km: 42.19,
      moving_time: '1:25:30',
      avg_speed_kmh: 29.6,
      np_w: 228,
      np_pct_of_ftp: 86,
      intensity_factor: 0.86,
      stress_tss: 104,
      avg_hr_bpm: 151,
    },
  ],
});
const evidence = { toolResults: [form, thresholds, activities] };
const findings = (answer: string, extra: Partial<typeof evidence> & { athleteText?: string[] } = {}) =>
  auditNumbers(answer, { ...evidence, ...extra }).untraceable.map((finding) => finding.text);

describe('numbers audit: every number bound to the quantity it claims', () => {
  it('reads tool results by key: ids, dates and zone numbers are not evidence; tables by column', () => {
    const values = evidenceValues([
      form,
      JSON.stringify({ columns: ['date', 'ctl', 'atl', 'tsb'], rows: [['2026-10-01', 50.1, 60.2, -10.1]] }),
    ]);
    expect(values).toContainEqual({ quantity: 'tsb', value: -22.6 });
    expect(values).toContainEqual({ quantity: 'ctl', value: 50.1 });
    expect(values).toContainEqual({ quantity: 'atl', value: 60.2 });
    expect(values.some((value) => value.value === 2026 || value.value === 11)).toBe(false);
  });

  it('accepts correct numbers with their labels, units, rounding and written conversions', () => {
    expect(
      findings(
        'Fitness (CTL) is 61.4, fatigue (ATL) 81.5, so your form (TSB) is −22.6 (about −23): productive training. Ramp +5.2 a week, 512 TSS over 7 days.',
      ),
    ).toEqual([]);
    expect(findings('Your FTP is 265 W and LTHR 168 bpm; max HR 190 bpm. Threshold pace 4:30/km.')).toEqual(
      [],
    );
    expect(
      findings(
        'You rode 42.19 km (26.2 mi) in 1:25:30 at 29.6 km/h, NP 228 W (86% of FTP, IF 0.86), 104 TSS, HR 151 bpm.',
      ),
    ).toEqual([]);
    expect(findings('ATL about 80, fatigue roughly 82, FTP around 270 W.')).toEqual([]);
    expect(findings('Form 22.6 below zero means you are tired.')).toEqual([]);
    expect(findings('Zone 2 runs from 146–199 W.')).toEqual([]);
    expect(findings('In total 63.4 km in 2:10 (2h 10m), 152 TSS.')).toEqual([]);
  });

  it('rejects a dropped sign, a wrong label, a stale value and an invented value near a real one', () => {
    expect(findings('Your form (TSB) is 22.6.')).toEqual(['22.6']);
    expect(findings('Your CTL is 81.5.')).toEqual(['81.5']);
    expect(findings('Your fitness is 81.5 and fatigue 61.4.')).toEqual(['81.5', '61.4']);
    expect(findings('Your FTP is 250 W.')).toEqual(['250']);
    expect(findings('Your FTP was 250 W before it changed.')).toEqual([]);
    expect(findings('Your CTL is 61.9.')).toEqual(['61.9']);
    expect(findings('Your ATL is 80.')).toEqual(['80']);
    expect(findings('You rode 42.19 mi.')).toEqual(['42.19']);
    expect(findings('Form is +22.6.')).toEqual(['22.6']);
  });

  it('takes no evidence from prompt constants, dates or ids, and checks 0, 1 and 2', () => {
    const none = { toolResults: [] as string[] };
    expect(auditNumbers('Your CTL is 42.', none).ok).toBe(false);
    expect(auditNumbers('Your CTL is 150.', { toolResults: [form] }).ok).toBe(false);
    expect(findings('Your CTL is 4711 and ATL 1101.')).toEqual(['4711', '1101']);
    expect(findings('Your form is 1.')).toEqual(['1']);
    expect(findings('You rode 3 times.')).toEqual(['3']);
    expect(findings('You rode 3 times.', { toolResults: [JSON.stringify({ count: 3 })] })).toEqual([]);
  });

  it('counts the athlete’s own numbers only for themselves', () => {
    expect(
      findings('With an FTP of 280 W your zones would change.', { athleteText: ['Is 280 W right?'] }),
    ).toEqual([]);
    // Typed as watts, it is not evidence for a conversion or another number.
    expect(findings('That is 300 W.', { athleteText: ['Is 280 W right?'] })).toEqual(['300']);
  });

  it('handles decimal commas, dates, clock times and prescriptions', () => {
    expect(findings('Deine Form (TSB) liegt bei −22,6 und die Fitness bei 61,4.')).toEqual([]);
    expect(findings('Fitness 61,9.')).toEqual(['61,9']);
    expect(findings('Am 27.10. bist du 42,19 km gefahren, am 27.10.2026 um 07:30.')).toEqual([]);
    expect(findings('Ride tomorrow at 7:30 am, or at 18:00.')).toEqual([]);
    expect(findings('Do 3×10 min at 95–105 % of FTP, then 5 min at 55% of FTP.')).toEqual([]);
    expect(findings('Your ride was 91% of FTP.')).toEqual(['91']);
    expect(findings('Your best 20-minute power on 2026-10-25 (Sunday, Oct 25) was in Z2.')).toEqual([]);
    expect(findings('1,234 TSS')).toEqual(['1,234']);
  });

  it('reads what coaches write around numbers: advice ranges, headings, curve points, from–to changes', () => {
    const curve = JSON.stringify({ best_power: [{ duration: '20 min', seconds: 1200, watts: 273 }] });
    const pmc = JSON.stringify({
      change: { ctl: 8.2 },
      columns: ['date', 'ctl'],
      rows: [
        ['2026-10-01', 60.2],
        ['2026-10-31', 68.4],
      ],
    });
    const audit = (answer: string) =>
      auditNumbers(answer, { toolResults: [curve, pmc] }).untraceable.map((finding) => finding.text);
    expect(audit('Your best 20 min power is 273 W; your 20-minute best is 273 W.')).toEqual([]);
    expect(audit('Take 1–2 easy days, then 2-3 sessions. Week 1: rest.')).toEqual([]);
    expect(audit('Ride 60–90 minutes in zone 2, or 3 to 4 h on Sunday.')).toEqual([]);
    expect(audit('Your fitness (CTL) rose from 60.2 to 68.4, up 8.2.')).toEqual([]);
    expect(audit('Your fitness (CTL) rose from 61.2 to 68.4.')).toEqual(['61.2']);
    expect(audit('Your best 20 min power is 283 W.')).toEqual(['283']);
    // The form zones the prompt explains, quoted about form; not as a reading of form itself.
    expect(findings('Your form (TSB) is −22.6, in the productive zone (−30 to −10).')).toEqual([]);
    expect(findings('Your form (TSB) is −10.')).toEqual(['10']);
  });

  it('reads names from the results as names, not numbers', () => {
    const named = JSON.stringify({
      activities: [
        { id: '7', name: 'Zwift 2x20 @ 95%', distance_km: 31.2 },
        { id: '8', name: 'Tour-12 loop', distance_km: 31.2 },
      ],
    });
    const audit = (answer: string) =>
      auditNumbers(answer, { toolResults: [named] }).untraceable.map((finding) => finding.text);
    expect(audit('Your “Zwift 2x20 @ 95%” ride covered 31.2 km.')).toEqual([]);
    expect(audit('Your zwift 2x20 @ 95% ride covered 31.9 km.')).toEqual(['31.9']);
    expect(audit('Your Tour-12 loop covered 31.2 km; the Tour-13 loop is next.')).toEqual(['13']);
  });

  it('removes a failing sentence whole, never patching it', () => {
    const answer = 'Your form (TSB) is −22.6. Your CTL is 81.5, which is high.\n- FTP 265 W\n- FTP 312 W';
    expect(removeUntraceableSentences(answer, evidence)).toBe('Your form (TSB) is −22.6.\n- FTP 265 W');
    expect(removeUntraceableSentences('Your CTL is 99.', evidence)).toBe('');
  });
});
