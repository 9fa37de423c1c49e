#!/usr/bin/env node
import { stdio } from './command.ts';
import { commands } from './commands/index.ts';
import { runCli } from './run-cli.ts';

const code = await runCli(commands, process.argv.slice(2), stdio);
process.exitCode = code;
