import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { connectDb, type Db } from '../../db/connect.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../db/embedded-postgres.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import type { AthleteRow } from '../../db/tables/athletes.ts';
import { type Config, ConfigError, loadConfig } from '../../lib/config.ts';
import { createLogger } from '../../lib/logger.ts';
import type { CoachContext } from '../coach.ts';
import { type FixtureActivity, insertFixtureAthlete } from './fixture.ts';
import { type EvalReport, runCoachEval } from './harness.ts';
import { type EvalQuestion, evalAthlete, evalNow, evalQuestions } from './questions.ts';
import { addEvalPlan, ruleBasedQuestions, runRuleBasedEval } from './rule-based-eval.ts';

/**
 * `npm run eval:coach [-- --out report.json] [--rule-based]`: the 30-question evaluation against the
 * configured OpenAI-compatible endpoint (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL); without a key, or
 * with --rule-based, the rule-based coach's evaluation (share of questions answered on topic). The fixture athlete lives in
 * a throwaway database on EVAL_DATABASE_URL / TEST_DATABASE_URL's server, or in an embedded Postgres.
 * With or without a model it also runs the adversarial numbers-audit suite (false accepts, false rejects,
 * random-number pass rate) and measures the tokens of a typical question, on the in-repo scripted server.
 * Prints the JSON report on stdout, progress on stderr.
 */
async function main(): Promise<number> {
  const outIndex = process.argv.indexOf('--out');
  const outFile = outIndex >= 0 ? process.argv[outIndex + 1] : undefined;
  const config = loadConfig();
  // Without a key (or with --rule-based) the rule-based coach is evaluated instead of a model.
  const ruleBased = !config.coach.apiKey || process.argv.includes('--rule-based');
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
    const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: pino.destination(2) });
    // The scripted cases fail the audit on purpose: their warnings are not news.
    const offline = await scriptedModelFigures(handle.db, athlete.id, createLogger({ level: 'silent' }));
    const questions = evalQuestions(fixture.activities);
    if (ruleBased)
      return await runRuleBased(handle.db, config, athlete, fixture.activities, questions, outFile, offline);
    process.stderr.write(
      `model ${config.coach.model} at ${config.coach.baseUrl ?? 'https://api.openai.com/v1'}: ${questions.length} questions\n`,
    );
    const modelReport = await runCoachEval(
      { config, logger, db: handle.db, now: () => evalNow },
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
    const report: EvalReport & OfflineFigures = { ...modelReport, ...offline };
    process.stderr.write(
      `fact accuracy ${modelReport.factAccuracy}, question accuracy ${modelReport.questionAccuracy}, audit failures ${modelReport.auditFailures}, fallbacks ${modelReport.fallbacks}, tokens ${modelReport.tokens.total}, p50 ${modelReport.latencyMs.p50} ms\n`,
    );
    const json = JSON.stringify(report, null, 2);
    if (outFile) await writeFile(outFile, `${json}\n`);
    process.stdout.write(`${json}\n`);
    printOfflineFigures(offline);
    return 0;
  } finally {
    await handle.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    if (embedded) await embedded.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}

/** The no-key evaluation: its own report keys (`mode: "rule-based"`, `ruleBased`). */
async function runRuleBased(
  db: Db,
  config: Config,
  athlete: AthleteRow,
  activities: FixtureActivity[],
  modelQuestions: EvalQuestion[],
  outFile: string | undefined,
  offline: OfflineFigures,
): Promise<number> {
  await addEvalPlan(db, athlete);
  const questions = ruleBasedQuestions(modelQuestions, activities);
  process.stderr.write(`rule-based coach (no model): ${questions.length} questions\n`);
  const report = await runRuleBasedEval(
    {
      config,
      logger: createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: pino.destination(2) }),
      db,
      now: () => evalNow,
    },
    athlete,
    questions,
    {
      onResult: (result) =>
        process.stderr.write(
          `${result.id} ${result.onTopic ? 'ok ' : 'OFF'} intent ${result.intent}${result.intent === result.expectedIntent ? '' : ` (want ${result.expectedIntent})`} ${result.factsFound}/${result.factsTotal}${result.missing.length > 0 ? ` missing: ${result.missing.join(', ')}` : ''}\n`,
        ),
    },
  );
  const json = JSON.stringify({ mode: 'rule-based', ruleBased: report, ...offline }, null, 2);
  if (outFile) await writeFile(outFile, `${json}\n`);
  process.stdout.write(`${json}\n`);
  process.stderr.write(
    `on topic ${report.onTopic}/${report.questions} (${Math.round(report.onTopicShare * 100)} %, target ${report.target * 100} %), intent ${Math.round(report.intentShare * 100)} %, facts ${Math.round(report.factShare * 100)} %\n`,
  );
  printOfflineFigures(offline);
  return report.onTopicShare >= report.target ? 0 : 1;
}

type OfflineFigures = Awaited<ReturnType<typeof scriptedModelFigures>>;

function printOfflineFigures(offline: OfflineFigures): void {
  const audit = offline.auditSuite;
  process.stderr.write(
    `numbers audit: ${audit.falseAccepts}/${audit.wrongCases} false accepts, ${audit.falseRejects}/${audit.correctCases} false rejects, random numbers pass ${(audit.randomNumbers.passRate * 100).toFixed(1)} % (${audit.randomNumbers.passed}/${audit.randomNumbers.samples}; ${(audit.randomNumbers.heavyContext.passRate * 100).toFixed(1)} % with a 42-day PMC and 50 activities); typical question ${offline.tokensPerTypicalQuestion.after} tokens (was ${offline.tokensPerTypicalQuestion.before}, ${offline.tokensPerTypicalQuestion.changePct} %)\n`,
  );
}

/** The audit suite and the token measure, on the in-repo scripted model server (no model needed). */
async function scriptedModelFigures(db: Db, athleteId: string, logger: CoachContext['logger']) {
  // The scripted server lives with the tests: a checkout has it, the production image does not.
  const { startOpenAiFake } = await import('../../test/fakes/openai/openai-fake.ts');
  const { runAuditSuite } = await import('./audit-suite.ts');
  const { measureTypicalQuestion, tokenCostBefore } = await import('./token-cost.ts');
  const fake = await startOpenAiFake();
  try {
    const ctx: CoachContext = {
      config: loadConfig({
        OPENAI_API_KEY: fake.apiKey,
        OPENAI_BASE_URL: fake.baseUrl,
        OPENAI_MODEL: 'scripted',
      }),
      logger,
      db,
      now: () => evalNow,
    };
    const auditSuite = await runAuditSuite(ctx, athleteId, fake);
    const cost = await measureTypicalQuestion(ctx, athleteId, fake);
    return {
      auditSuite,
      tokensPerTypicalQuestion: {
        question: cost.question,
        requests: cost.requests,
        before: tokenCostBefore.total,
        after: cost.total,
        changePct: Number((((cost.total - tokenCostBefore.total) / tokenCostBefore.total) * 100).toFixed(1)),
        toolDefinitionsBefore: tokenCostBefore.toolDefinitions,
        toolDefinitionsAfter: cost.toolDefinitions,
      },
    };
  } finally {
    await fake.stop();
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
