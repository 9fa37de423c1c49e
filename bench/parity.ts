/**
 * `npm run parity`: compares every fixture FIT file's own device summary with our analysis and writes the
 * "Threshold vs the device" table into README.md between its markers (METRICS.md §12, "Real files").
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compareWithDevice, noOracle, type ParityCheck, parityExceptions } from '../metrics/device-parity.ts';
import { type FitLeg, FitNotActivityError, fitToLegs } from '../metrics/fit.ts';

const dir = fileURLToPath(new URL('../test/fixtures/fit/', import.meta.url));
const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const start = '<!-- device-parity:start -->';
const end = '<!-- device-parity:end -->';

const columns: [ParityCheck['metric'], string, (v: number) => string][] = [
  ['timer_s', 'Timer time (s)', (v) => v.toFixed(v % 1 === 0 ? 0 : 1)],
  ['avg_power', 'Avg power (W)', (v) => v.toFixed(1)],
  ['np', 'NP (W)', (v) => v.toFixed(1)],
  ['tss', 'TSS', (v) => v.toFixed(1)],
  ['avg_hr', 'Avg HR', (v) => v.toFixed(1)],
  ['max_hr', 'Max HR', (v) => v.toFixed(0)],
  ['swim_speed', 'Swim speed (m/s)', (v) => v.toFixed(3)],
];

function cell(check: ParityCheck | undefined, format: (v: number) => string, excepted: boolean): string {
  if (!check) return '';
  const ours = check.ours === null ? '—' : format(check.ours);
  const difference =
    check.difference === null
      ? ''
      : check.unit === 'bpm'
        ? ` (${check.difference >= 0 ? '+' : ''}${check.difference} bpm)`
        : ` (${check.difference >= 0 ? '+' : ''}${(check.difference * 100).toFixed(2)} %)`;
  const mark = check.within ? '' : excepted ? ' †' : ' ✗';
  return `${format(check.device)} / ${ours}${difference}${mark}`;
}

export function parityTable(): string {
  const lines = [
    `| File (leg) | Sport | ${columns.map(([, title]) => title).join(' | ')} |`,
    `| --- | --- | ${columns.map(() => '---').join(' | ')} |`,
  ];
  const notes: string[] = [];
  for (const name of readdirSync(dir)
    .filter((file) => file.endsWith('.fit'))
    .sort()) {
    let legs: FitLeg[];
    try {
      legs = fitToLegs(readFileSync(`${dir}${name}`));
    } catch (error) {
      if (error instanceof FitNotActivityError) continue;
      throw error;
    }
    if (noOracle[name]) {
      lines.push(
        `| ${name} | ${legs[0]?.sport ?? '—'} | ${noOracle[name]} |${' |'.repeat(columns.length - 1)}`,
      );
      continue;
    }
    legs.forEach((leg, i) => {
      const checks = compareWithDevice(leg);
      const label = legs.length > 1 ? `${name} (${i + 1}/${legs.length})` : name;
      const cells = columns.map(([metric, , format]) => {
        const key = `${name}#${i + 1}:${metric}`;
        if (parityExceptions[key]) notes.push(`† ${label}, ${metric}: ${parityExceptions[key]}.`);
        return cell(
          checks.find((c) => c.metric === metric),
          format,
          parityExceptions[key] !== undefined,
        );
      });
      lines.push(`| ${label} | ${leg.sport ?? '—'} | ${cells.join(' | ')} |`);
    });
  }
  return [
    'Each cell is the device’s own value (from the file’s `session` message) / ours (difference). Tolerances:',
    'NP and average power 1 %, timer time 0.5 %, TSS 2.5 % (at the device’s FTP), HR 1 bpm, swim speed 3 %.',
    'Empty cells: the device wrote no such value.',
    '',
    ...lines,
    '',
    ...notes.map((note) => `${note}\n`),
  ]
    .join('\n')
    .trimEnd();
}

const text = readFileSync(readme, 'utf8');
const from = text.indexOf(start);
const to = text.indexOf(end);
if (from < 0 || to < from) {
  process.stderr.write(`README.md has no ${start} … ${end} markers\n`);
  process.exit(1);
}
writeFileSync(readme, `${text.slice(0, from + start.length)}\n${parityTable()}\n${text.slice(to)}`);
process.stdout.write('README.md: "Threshold vs the device" table updated\n');
