import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFit } from '../../test/fit-builder.ts';
import { runCli } from '../run-cli.ts';
import analyze from './analyze.ts';
import pmc from './pmc.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'threshold-cli-'));
const fixtures = fileURLToPath(new URL('../../test/fixtures/fit/', import.meta.url));

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([analyze, pmc], argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function file(name: string, content: string) {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('cli analyze', () => {
  it('prints the contract JSON for a Strava stream set', async () => {
    const n = 3600;
    const streams = {
      time: {
        data: Array.from({ length: n }, (_, i) => i),
        series_type: 'time',
        original_size: n,
        resolution: 'high',
      },
      watts: { data: Array(n).fill(250), series_type: 'time', original_size: n, resolution: 'high' },
      heartrate: { data: Array(n).fill(150), series_type: 'time', original_size: n, resolution: 'high' },
    };
    const result = await cli(
      'analyze',
      file('ride.json', JSON.stringify(streams)),
      '--ftp',
      '250',
      '--lthr',
      '170',
      '--rest-hr',
      '50',
      '--max-hr',
      '190',
    );
    expect(result.code).toBe(0);
    const json = JSON.parse(result.out);
    expect(Object.keys(json)).toEqual([
      'sport',
      'duration_s',
      'moving_s',
      'stopped_s',
      'power',
      'pace',
      'hr',
      'swim',
      'stress',
      'zones',
      'peaks',
      'best_efforts',
      'power_curve',
      'decoupling_pct',
      'incomplete',
      'session',
      'notes',
    ]);
    expect(json.sport).toBe('Ride');
    expect(json.power).toEqual({ avg: 250, np: 250, if: 1, tss: 100, vi: 1, work_kj: 900, ef: 1.6667 });
    expect(json.hr).toEqual({ avg: 150, max: 150, trimp: 108.1, hrtss: 63.34 });
    expect(json.pace).toBeNull();
    expect(json.swim).toBeNull();
    expect(json.stress).toEqual({ value: 100, method: 'power', if: 1 });
    expect([json.incomplete, json.session, json.notes]).toEqual([false, null, []]);
    expect(json.zones.power).toEqual([0, 0, 0, 3600, 0, 0, 0]);
    expect(Object.keys(json.peaks.power)).toEqual([
      '5',
      '15',
      '30',
      '60',
      '120',
      '300',
      '600',
      '1200',
      '1800',
      '3600',
    ]);
    expect(json.peaks.power['1200']).toBe(250);
    expect(json.power_curve[0]).toEqual([1, 250]);
    expect(json.power_curve.at(-1)).toEqual([3600, 250]);
    expect(json.decoupling_pct).toBe(0);
  });

  it('reads FIT files, takes the sport from the session, and parses paces', async () => {
    const result = await cli(
      'analyze',
      `${fixtures}fitparse-activity-small-fenix2-run.fit`,
      '--threshold-pace',
      '4:30',
    );
    expect(result.code).toBe(0);
    const json = JSON.parse(result.out);
    expect(json.sport).toBe('Run');
    expect(json.pace.if).toBeGreaterThan(0.8);
    expect(json.stress.method).toBe('pace');
  });

  it('usage errors exit 2, unreadable input exits 1 with one line', async () => {
    expect((await cli('analyze')).code).toBe(2);
    expect((await cli('analyze', 'x.json', '--ftp', 'lots')).code).toBe(2);
    expect((await cli('analyze', 'x.json', '--threshold-pace', '430')).code).toBe(2);
    const missing = await cli('analyze', path.join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/cannot read .*ENOENT/);
    const broken = await cli('analyze', file('broken.json', '{"time": [0, 1'));
    expect(broken).toMatchObject({ code: 1 });
    expect(broken.err).toMatch(/not valid JSON/);
    const noTime = await cli('analyze', file('notime.json', '{"watts":{"data":[1,2]}}'));
    expect(noTime.err).toMatch(/no "time" stream/);
  });
});

describe('cli pmc', () => {
  it('prints one row per day with the header, missing days as 0', async () => {
    const result = await cli('pmc', file('load.csv', 'date,stress\n2026-01-01,100\n2026-01-03,50\n'));
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe('date,stress,ctl,atl,tsb,ramp');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
    expect(lines[1]).toBe('2026-01-01,100.00,2.35,13.31,0.00,2.35');
    expect(lines[2]!.split(',')[1]).toBe('0.00');
  });

  it('honours --ctl-days and --atl-days', async () => {
    const result = await cli(
      'pmc',
      file('one.csv', '2026-01-01,100\n'),
      '--ctl-days',
      '28',
      '--atl-days',
      '5',
    );
    expect(result.out.split('\n')[1]).toBe(
      `2026-01-01,100.00,${(100 * (1 - Math.exp(-1 / 28))).toFixed(2)},${(100 * (1 - Math.exp(-1 / 5))).toFixed(2)},0.00,${(100 * (1 - Math.exp(-1 / 28))).toFixed(2)}`,
    );
  });

  it('a bad line is a one-line error naming it, exit 1', async () => {
    const badDate = await cli('pmc', file('bad1.csv', 'date,stress\n2026-01-01,10\n2026-02-30,5\n'));
    expect(badDate).toMatchObject({ code: 1 });
    expect(badDate.err).toBe('pmc: line 3: invalid date "2026-02-30"');
    const badStress = await cli('pmc', file('bad2.csv', '2026-01-01,ten\n'));
    expect(badStress.err).toBe('pmc: line 1: invalid stress "ten" (a number ≥ 0)');
    const badShape = await cli('pmc', file('bad3.csv', '2026-01-01,1,2\n'));
    expect(badShape.err).toMatch(/^pmc: line 1: expected "YYYY-MM-DD,stress"/);
    expect((await cli('pmc', file('empty.csv', 'date,stress\n'))).code).toBe(1);
  });
});

describe('cli pmc: review fixes', () => {
  it('only a first line that does not start with a digit is a header; stress must be a decimal number', async () => {
    const slashDate = await cli('pmc', file('slash.csv', '2026/01/05,80\n2026-01-06,50\n'));
    expect(slashDate).toMatchObject({ code: 1, err: 'pmc: line 1: invalid date "2026/01/05"' });
    const hex = await cli('pmc', file('hex.csv', 'date,stress\n2026-01-05,0x10\n'));
    expect(hex).toMatchObject({ code: 1, err: 'pmc: line 2: invalid stress "0x10" (a number ≥ 0)' });
    // Blank lines before the header are fine; 1e2 is 100: CTL = 100 × (1 − e^(−1/42)) = 2.35.
    const ok = await cli('pmc', file('blank.csv', '\nDate,TSS\n2026-01-05,1e2\n'));
    expect(ok.out.split('\n')[1]).toBe('2026-01-05,100.00,2.35,13.31,0.00,2.35');
  });
});

describe('cli analyze: review fixes', () => {
  it('recognises a FIT file by its header even without the .fit name', async () => {
    // The indoor-trainer recording: its head unit says NP 228 W; ours is 227.33 W (see metrics/fixtures).
    const bytes = readFileSync(`${fixtures}fitparse-sample-activity-indoor-trainer.fit`);
    const result = await cli('analyze', file('upload-without-extension', ''), '--ftp', '250');
    expect(result.code).toBe(1); // an empty file is neither FIT nor JSON
    writeFileSync(path.join(dir, 'upload-without-extension'), bytes);
    const json = JSON.parse(
      (await cli('analyze', path.join(dir, 'upload-without-extension'), '--ftp', '250')).out,
    );
    expect(json.sport).toBe('Ride');
    expect(json.power.np).toBe(227.33);
  });
});

describe('cli analyze: legs, run FTP, non-activity and incomplete files', () => {
  const binary = (name: string, bytes: Uint8Array) => {
    const p = path.join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  it('a multisport FIT prints one object per leg, each with its own sport and stress', async () => {
    const records = [
      ...Array.from({ length: 600 }, (_, t) => ({ t, speed: 3.5, heartRate: 150 })),
      ...Array.from({ length: 60 }, (_, i) => ({ t: 600 + i, speed: 1, heartRate: 140 })),
      ...Array.from({ length: 1200 }, (_, i) => ({ t: 660 + i, power: 200, speed: 9, heartRate: 145 })),
    ];
    const bytes = buildFit({
      records,
      timer: [
        { t: 0, type: 'start' },
        { t: 1860, type: 'stopAll' },
      ],
      sessions: [
        { t: 0, sport: 'running', timerS: 600 },
        { t: 600, sport: 'transition', timerS: 60 },
        { t: 660, sport: 'cycling', timerS: 1200 },
      ],
    });
    const result = await cli(
      'analyze',
      binary('brick.fit', bytes),
      '--ftp',
      '250',
      '--threshold-pace',
      '4:45',
    );
    expect(result.code).toBe(0);
    const json = JSON.parse(result.out);
    expect(json.legs.map((leg: { sport: string }) => leg.sport)).toEqual(['Run', 'Transition', 'Ride']);
    expect(json.legs.map((leg: { duration_s: number }) => leg.duration_s)).toEqual([600, 60, 1200]);
    // The run is scored by pace, the ride by power: nothing is computed across legs, no pace on a ride.
    expect(json.legs[0].stress.method).toBe('pace');
    expect(json.legs[0].power).toBeNull();
    expect(json.legs[2].stress).toEqual({ value: 21.33, method: 'power', if: 0.8 });
    expect(json.legs[2].pace).toBeNull();
  });

  it('--run-ftp scores a run with power; the cycling --ftp never does', async () => {
    const records = Array.from({ length: 3600 }, (_, t) => ({ t, power: 300, speed: 4 }));
    const run = binary(
      'stryd.fit',
      buildFit({ records, sessions: [{ t: 0, sport: 'running', timerS: 3600 }] }),
    );
    const cyclingOnly = JSON.parse((await cli('analyze', run, '--ftp', '250')).out);
    expect(cyclingOnly.power.np).toBe(300);
    expect(cyclingOnly.power.if).toBeNull();
    expect(cyclingOnly.stress.method).toBe('estimated');
    const withRunFtp = JSON.parse((await cli('analyze', run, '--ftp', '250', '--run-ftp', '300')).out);
    expect(withRunFtp.stress).toEqual({ value: 100, method: 'power', if: 1 });
    expect((await cli('analyze', run, '--run-ftp', 'lots')).code).toBe(2);
  });

  it('a FIT file that holds no activity is refused on stderr with exit status 2', async () => {
    for (const type of ['settings', 'workout', 'monitoringA']) {
      const result = await cli('analyze', binary(`${type}.fit`, buildFit({ type })));
      expect(result.code).toBe(2);
      expect(result.out).toBe('');
      expect(result.err).toMatch(new RegExp(`holds an? ${type} file, not an activity`));
    }
  });

  it('a file whose records cover under 90 % of its timer says so, with the session totals', async () => {
    const records = Array.from({ length: 300 }, (_, t) => ({ t, speed: 3, distance: 3 * t }));
    const bytes = buildFit({
      records,
      timer: [{ t: 0, type: 'start' }],
      sessions: [{ t: 0, sport: 'running', timerS: 3558, distanceM: 11274 }],
    });
    const result = await cli('analyze', binary('cut.fit', bytes));
    const json = JSON.parse(result.out);
    expect(json.incomplete).toBe(true);
    expect(json.session).toEqual({ timer_s: 3558, distance_m: 11274 });
    expect(json.duration_s).toBe(300);
    expect(json.notes[0]).toMatch(
      /incomplete: its records cover 0:05:00 of the session's 0:59:18 timer time/,
    );
    expect(result.err).toMatch(/incomplete/);
  });
});
