import { type ParseArgsConfig, parseArgs } from 'node:util';

/** What a CLI command can write to; tests pass their own sinks. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * One operator command: `npm run --silent cli -- <name> ...`.
 * `run` returns the exit code (0 ok, 1 failure); usage problems throw `UsageError` (exit 2).
 */
export interface CliCommand {
  name: string;
  summary: string;
  /** Full usage text printed by `--help` and after a usage error. */
  usage: string;
  run: (argv: string[], io: CliIo) => Promise<number>;
}

/**
 * A command as the index lists it: name and summary up front, the module loaded only when the command
 * runs (or prints its usage), so one command never loads another's dependencies.
 */
export interface LazyCliCommand {
  name: string;
  summary: string;
  load: () => Promise<{ default: CliCommand }>;
}

/** Wrong arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the operator can act on: printed as one line, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs (strict) with its errors turned into UsageError. */
export function parseCliArgs<const O extends Options, const P extends boolean = true>(
  argv: string[],
  options: O,
  allowPositionals?: P,
) {
  try {
    return parseArgs<{ args: string[]; options: O; allowPositionals: P; strict: true }>({
      args: argv,
      options,
      allowPositionals: (allowPositionals ?? true) as P,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export const stdio: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};
