import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { connectDb } from '../../db/connect.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../db/embedded-postgres.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { ConfigError, loadConfig } from '../../lib/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { insertFixtureAthlete } from './fixture.ts';
import { runCoachEval } from './harness.ts';
import { evalAthlete, evalNow, evalQuestions } from './questions.ts';

/**
 * `npm run eval:coach [-- --out report.json]`: the 30-question evaluation against the configured
 * OpenAI-compatible endpoint (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL). The fixture athlete lives in
 * a throwaway database on EVAL_DATABASE_URL / TEST_DATABASE_URL's server, or in an embedded Postgres.
 * Prints the JSON report on stdout, progress on stderr.
 */
async function main(): Promise<number> {
  const outIndex = process.argv.indexOf('--out');
  const outFile = outIndex >= 0 ? process.argv[outIndex + 1] : undefined;
  const config = loadConfig();
  if (!config.coach.apiKey) {
    process.stderr.write(
      'eval:coach needs a model: set OPENAI_API_KEY (any string for local servers), and OPENAI_BASE_URL / OPENAI_MODEL for a non-OpenAI server.\n',
    );
    return 2;
  }
  let embedded: EmbeddedPostgres | null = null;
  let tempDir: string | null = null;
  let serverUrl = process.env.EVAL_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    tempDir = await mkdtemp(path.join(tmpdir(), 'threshold-eval-pg-'));
    process.stderr.write('starting an embedded PostgreSQL for the fixture…\n');
    embedded = await startEmbeddedPostgres({ dataDir: path.join(tempDir, 'data') });
    serverUrl = embedded.url;
  }
  const name = `threshold_eval_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = connectDb(url.toString(), { max: 4 });
  try {
    await migrateToLatest(handle.db);
    const fixture = evalAthlete();
    const athlete = await insertFixtureAthlete(handle.db, fixture);
    const questions = evalQuestions(fixture.activities);
    process.stderr.write(
      `model ${config.coach.model} at ${config.coach.baseUrl ?? 'https://api.openai.com/v1'}: ${questions.length} questions\n`,
    );
    const report = await runCoachEval(
      {
        config,
        logger: createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: pino.destination(2) }),
        db: handle.db,
        now: () => evalNow,
      },
      athlete.id,
      questions,
      {
        timeoutMs: Number(process.env.EVAL_TIMEOUT_MS ?? 120_000),
        onResult: (result) =>
          process.stderr.write(
            `${result.id} ${result.correct ? 'ok  ' : 'MISS'} ${result.factsFound}/${result.factsTotal} audit=${result.audit} ${result.latencyMs} ms${result.missing.length > 0 ? ` missing: ${result.missing.join(', ')}` : ''}\n`,
          ),
      },
    );
    const json = JSON.stringify(report, null, 2);
    if (outFile) await writeFile(outFile, `${json}\n`);
    process.stdout.write(`${json}\n`);
    process.stderr.write(
      `fact accuracy ${report.factAccuracy}, question accuracy ${report.questionAccuracy}, audit failures ${report.auditFailures}, fallbacks ${report.fallbacks}, tokens ${report.tokens.total}, p50 ${report.latencyMs.p50} ms\n`,
    );
    return 0;
  } finally {
    await handle.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    if (embedded) await embedded.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
    );
    process.exit(1);
  },
);
