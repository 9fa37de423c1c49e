import { randomBytes } from 'node:crypto';
import { type CliCommand, parseCliArgs } from '../command.ts';

export default {
  name: 'generate-key',
  summary: 'Print a new Fernet key for TOKEN_ENCRYPTION_KEY',
  usage: `Usage: npm run --silent cli -- generate-key

Prints a random 32-byte URL-safe base64 Fernet key. To rotate, put the new key first in
TOKEN_ENCRYPTION_KEY and keep the old ones after it (comma-separated).`,
  run: async (argv, io) => {
    parseCliArgs(argv, {}, false);
    io.out(randomBytes(32).toString('base64url').replace(/$/, '='));
    return 0;
  },
} satisfies CliCommand;
