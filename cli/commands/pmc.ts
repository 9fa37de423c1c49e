import { readFile } from 'node:fs/promises';
import { computePmc } from '../../metrics/index.ts';
import { type CliCommand, CliError, parseCliArgs, UsageError } from '../command.ts';
import { positiveInt } from './arguments.ts';

export default {
  name: 'pmc',
  summary: 'Compute the Performance Management Chart (CTL, ATL, TSB, ramp) from daily stress in a CSV',
  usage: `Usage: npm run --silent cli -- pmc <file.csv> [--ctl-days 42] [--atl-days 7]

Reads lines "YYYY-MM-DD,stress" (a header line is allowed; days missing from the file count as 0;
several lines of one day add up) and prints CSV "date,stress,ctl,atl,tsb,ramp", one row per day from the
first date to the last.`,
  run: async (argv, io) => {
    const { values, positionals } = parseCliArgs(argv, {
      'ctl-days': { type: 'string' },
      'atl-days': { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one CSV file');
    const ctlDays = positiveInt('ctl-days', values['ctl-days'], 42, 365);
    const atlDays = positiveInt('atl-days', values['atl-days'], 7, 365);
    let text: string;
    try {
      text = await readFile(positionals[0]!, 'utf8');
    } catch (error) {
      throw new CliError(
        `cannot read ${positionals[0]}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
    const days: { date: string; stress: number }[] = [];
    const lines = text.split(/\r?\n/);
    let seenLine = false;
    lines.forEach((line, index) => {
      const trimmed = line.trim();
      if (trimmed === '') return;
      const cells = trimmed.split(',').map((cell) => cell.trim());
      // The header is the first line when it does not start with a digit ("date,stress"); a first line
      // such as "2026/01/05,80" is a bad data line, not a header to skip silently.
      const isHeader = !seenLine && !/^\d/.test(cells[0] ?? '');
      seenLine = true;
      if (isHeader) return;
      if (cells.length !== 2)
        throw new CliError(`line ${index + 1}: expected "YYYY-MM-DD,stress", got "${trimmed.slice(0, 60)}"`);
      const [date, stressText] = cells as [string, string];
      const parsedDate = new Date(`${date}T00:00:00Z`);
      if (
        !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
        Number.isNaN(parsedDate.getTime()) ||
        parsedDate.toISOString().slice(0, 10) !== date
      ) {
        throw new CliError(`line ${index + 1}: invalid date "${date}"`);
      }
      // Decimal numbers only: Number() would also take "0x10", "0b1" or "Infinity".
      const stress = Number(stressText);
      if (!/^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(stressText) || !Number.isFinite(stress)) {
        throw new CliError(`line ${index + 1}: invalid stress "${stressText}" (a number ≥ 0)`);
      }
      days.push({ date, stress });
    });
    if (days.length === 0) throw new CliError('no data lines in the file');
    const rows = computePmc(days, { ctlDays, atlDays });
    const f = (value: number) => {
      const fixed = value.toFixed(2);
      return fixed === '-0.00' ? '0.00' : fixed;
    };
    io.out(
      [
        'date,stress,ctl,atl,tsb,ramp',
        ...rows.map((r) => [r.date, f(r.stress), f(r.ctl), f(r.atl), f(r.tsb), f(r.ramp)].join(',')),
      ].join('\n'),
    );
    return 0;
  },
} satisfies CliCommand;
