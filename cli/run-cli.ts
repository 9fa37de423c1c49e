import { ConfigError } from '../lib/config-error.ts';
import { type CliCommand, CliError, type CliIo, type LazyCliCommand, UsageError } from './command.ts';

/** Dispatches argv to a command; returns the process exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(
  commands: (CliCommand | LazyCliCommand)[],
  argv: string[],
  io: CliIo,
): Promise<number> {
  const byName = new Map(commands.map((command) => [command.name, command]));
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview(commands));
    return name ? 0 : 2;
  }
  const entry = byName.get(name);
  if (!entry) {
    io.err(`Unknown command "${name}".\n\n${overview(commands)}`);
    return 2;
  }
  const command = 'run' in entry ? entry : (await entry.load()).default;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${command.name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    if (error instanceof CliError || error instanceof ConfigError) {
      io.err(`${command.name}: ${error.message}`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`${command.name}: failed: ${message}`);
    return 1;
  }
}

function overview(commands: { name: string; summary: string }[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: npm run --silent cli -- <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun a command with --help for its options.`;
}
