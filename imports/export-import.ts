import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Transaction } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { recordDelivery, settleLoad } from '../activities/record-delivery.ts';
import type { Notification } from '../bot/notifications.ts';
import type { Database } from '../db/database.ts';
import { multisportLegIds } from '../db/queries/activities.ts';
import { findAthleteById, lockAthlete } from '../db/queries/athletes.ts';
import { latestLoad } from '../db/queries/daily-load.ts';
import {
  countImportEntries,
  deleteImportChunks,
  findExportImport,
  findUnfinishedLocalImport,
  type ImportEntryOutcome,
  importEntryNames,
  importedActivityIds,
  importFirstDay,
  insertExportImport,
  readImportChunk,
  recordImportEntry,
  updateExportImport,
} from '../db/queries/export-imports.ts';
import { queueWorkoutMessage } from '../db/queries/workout-messages.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import type { ExportImportRow } from '../db/tables/export-imports.ts';
import { AppError } from '../lib/errors.ts';
import { jobNames, priorities, workoutMessageDelaySeconds } from '../lib/jobs/job-names.ts';
import { localDate } from '../lib/local-time.ts';
import type { Logger } from '../lib/logger.ts';
import { type ExportActivity, parseActivitiesCsv } from './activities-csv.ts';
import { isActivityFileName, readActivityFileLegs } from './detect.ts';
import { type ImportDeps, importActivityFileLegs } from './import-file.ts';
import { maxActivityFileBytes } from './limits.ts';
import { openZip, ZipEntryTooLargeError } from './zip-reader.ts';

export interface ExportImportDeps extends ImportDeps {
  boss: PgBoss;
  logger: Logger;
}

export interface ExportImportOptions {
  /** Stops between entries (worker shutdown); the next run resumes after the last finished entry. */
  signal?: AbortSignal;
  /** A DM with progress after this many entries, at most once per `progressIntervalMs` (default 1 min). */
  progressEvery?: number;
  progressIntervalMs?: number;
  onProgress?: (row: ExportImportRow) => void;
}

const maxCsvBytes = 64 * 1024 * 1024;
const activityEntry = /(^|\/)activities\/[^/]+$/i;

/** The export could not be imported at all (not a ZIP, no activities.csv): retrying cannot help. */
class ExportUnreadableError extends Error {
  override name = 'ExportUnreadableError';
}

/**
 * Imports a Strava bulk export: activities.csv for names and sports, then every activity file, one ZIP
 * entry at a time (bounded memory for exports of hundreds of MB). Each entry's activity, its outcome and
 * the counters are written in one transaction, so an interrupted import resumes after the last finished
 * entry. The PMC is recomputed once, from the earliest day the import touched.
 */
export async function runExportImport(
  deps: ExportImportDeps,
  importId: string,
  options: ExportImportOptions = {},
): Promise<ExportImportRow> {
  const log = deps.logger.child({ subsystem: 'export-import', importId });
  let row = await loadImport(deps, importId);
  if (row.state === 'done' || row.state === 'failed') return row;
  await updateExportImport(deps.db, importId, { state: 'running' });
  const athlete = await findAthleteById(deps.db, row.athlete_id);
  if (!athlete) throw new Error(`athlete ${row.athlete_id} of import ${importId} not found`);
  let scratch: string | null = null;
  try {
    let path = row.local_path;
    if (!path) {
      scratch = await mkdtemp(join(tmpdir(), 'threshold-import-'));
      path = join(scratch, 'export.zip');
      await writeChunksToFile(deps, importId, path);
    }
    const { csv, total: files } = await survey(path);
    // Activities without a file (manual entries) are imported from their CSV row, as entries of their own,
    // named by the row, so a resumed import skips the rows it already did.
    const withoutFile = new Map(
      csv.flatMap((listed, index) =>
        listed.fileName ? [] : [[`activities.csv#${listed.id ?? `row-${index + 2}`}`, listed] as const],
      ),
    );
    const total = files + withoutFile.size;
    const skipped = await countImportEntries(deps.db, importId, 'skipped');
    await updateExportImport(deps.db, importId, { total, skipped });
    const byFile = new Map(csv.filter((a) => a.fileName).map((a) => [a.fileName!.toLowerCase(), a]));
    const done = new Set(await importEntryNames(deps.db, importId));
    log.info({ total, alreadyDone: done.size }, 'export import running');
    const zip = await openZip(path);
    let sinceProgress = 0;
    let lastProgressAt = Date.now();
    const progress = async () => {
      sinceProgress++;
      row = await loadImport(deps, importId);
      options.onProgress?.(row);
      if (
        sinceProgress >= (options.progressEvery ?? 100) &&
        Date.now() - lastProgressAt >= (options.progressIntervalMs ?? 60_000)
      ) {
        sinceProgress = 0;
        lastProgressAt = Date.now();
        await notify(deps, row, {
          kind: 'import_progress',
          data: { done: processed(row), total: row.total },
        });
      }
    };
    const stopIfAsked = () => {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('import interrupted');
    };
    for await (const entry of zip.entries()) {
      if (!activityEntry.test(entry.fileName) || entry.fileName.endsWith('/')) continue;
      // The name is stored (resume, provenance): Postgres text cannot hold a NUL.
      const entryName = entry.fileName.replaceAll('\u0000', '');
      if (done.has(entryName)) continue;
      if (options.signal?.aborted) zip.close();
      stopIfAsked();
      const listed = byFile.get(relativeName(entryName).toLowerCase());
      await importEntry(deps, athlete, importId, entryName, listed, () =>
        zip.read(entry, maxActivityFileBytes),
      );
      // A ZIP may hold two entries of one name: the first counts.
      done.add(entryName);
      await progress();
    }
    for (const [entryName, listed] of withoutFile) {
      if (done.has(entryName)) continue;
      stopIfAsked();
      await importCsvEntry(deps, athlete, importId, entryName, listed);
      done.add(entryName);
      await progress();
    }
    const single = await finish(deps, importId);
    if (single) await sendWorkoutMessage(deps, row.athlete_id, single);
    row = await loadImport(deps, importId);
    log.info(
      { imported: row.imported, duplicates: row.duplicates, failed: row.failed },
      'export import done',
    );
    const load = await latestLoad(deps.db, athlete.id, localDate(deps.now(), athlete.timezone));
    await notify(deps, row, {
      kind: 'import_done',
      data: {
        imported: row.imported,
        duplicates: row.duplicates,
        failed: row.failed,
        skipped: row.skipped,
        ctl: load?.ctl ?? null,
        atl: load?.atl ?? null,
        tsb: load?.tsb ?? null,
      },
    });
    return row;
  } catch (error) {
    if (!(error instanceof ExportUnreadableError)) throw error;
    log.warn({ reason: error.message }, 'export refused');
    await updateExportImport(deps.db, importId, {
      state: 'failed',
      error: error.message,
      finished_at: new Date(),
    });
    await deleteImportChunks(deps.db, importId);
    row = await loadImport(deps, importId);
    await notify(deps, row, { kind: 'import_failed', data: { reason: error.message } });
    return row;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** Entries are named relative to the archive root; the CSV names them `activities/<file>`. */
function relativeName(entryName: string): string {
  const at = entryName.toLowerCase().lastIndexOf('activities/');
  return entryName.slice(at);
}

async function importEntry(
  deps: ExportImportDeps,
  athlete: AthleteRow,
  importId: string,
  entryName: string,
  listed: ExportActivity | undefined,
  read: () => Promise<Buffer>,
): Promise<void> {
  const fileName = posix.basename(entryName);
  let outcome: ImportEntryOutcome;
  let message: string | null = null;
  let legs: Awaited<ReturnType<typeof readActivityFileLegs>> | null = null;
  if (!isActivityFileName(fileName)) {
    outcome = 'skipped';
    message = 'not a FIT, TCX or GPX file';
  } else {
    try {
      legs = await readActivityFileLegs(await read(), fileName);
      outcome = 'imported';
      const warnings = legs.flatMap((leg) => leg.warnings);
      if (warnings.length > 0) message = warnings.join('; ');
    } catch (error) {
      // Reading and parsing touch no database: whatever fails here (a refused file, bad deflate data, an
      // entry larger than it claims) is this entry's problem, recorded, and the import goes on.
      if (!(error instanceof Error)) throw error;
      outcome = 'failed';
      message = error instanceof AppError ? error.userMessage : (error as Error).message;
    }
  }
  await commitEntry(deps, importId, entryName, async (trx) => {
    if (!legs) return { outcome, activityId: null, message };
    const stored = await importActivityFileLegs(
      { ...deps, db: trx },
      athlete,
      {
        source: 'strava_export',
        sourceRef: listed?.id ?? entryName,
        fileName,
        legs,
        name: listed?.name ?? null,
        sport: listed?.sport ?? null,
        stravaId: listed?.id ?? null,
      },
      { recompute: false },
    );
    // The entry names its first leg; a multisport file's other legs are activities of their own.
    const first = stored.find((leg) => leg.status === 'created') ?? stored[0]!;
    const legsNote = stored.length > 1 ? `multisport file: ${stored.length} legs, one activity each` : null;
    const note = [legsNote, message].filter((m): m is string => m !== null).join('; ') || null;
    return first.status === 'created'
      ? { outcome, activityId: first.activityId, message: note }
      : { outcome: 'duplicate', activityId: first.activityId, message: first.reason };
  });
}

/** An activity that has no file in the export: stored from its activities.csv row (a manual entry). */
async function importCsvEntry(
  deps: ExportImportDeps,
  athlete: AthleteRow,
  importId: string,
  entryName: string,
  listed: ExportActivity,
): Promise<void> {
  const { startTime, elapsedS } = listed;
  await commitEntry(deps, importId, entryName, async (trx) => {
    if (!startTime || !elapsedS) {
      return {
        outcome: 'skipped',
        activityId: null,
        message: 'no file, and activities.csv gives no readable date and duration',
      };
    }
    // Paired with the day's plan inside; the PMC is recomputed once when the whole import is done.
    const stored = await recordDelivery(
      { ...deps, db: trx },
      athlete,
      { kind: 'csv', row: { ...listed, startTime, elapsedS }, sourceRef: listed.id ?? entryName },
      { recompute: false },
    );
    if (stored.status !== 'created') {
      return { outcome: 'duplicate', activityId: stored.activityId, message: stored.reason };
    }
    return { outcome: 'imported', activityId: stored.activityId, message: 'no file: from activities.csv' };
  });
}

/**
 * Stores one entry's activity (`work`), its outcome and the counters in one transaction, so a resumed
 * import neither skips nor repeats it.
 */
async function commitEntry(
  deps: ExportImportDeps,
  importId: string,
  entryName: string,
  work: (
    trx: Transaction<Database>,
  ) => Promise<{ outcome: ImportEntryOutcome; activityId: string | null; message: string | null }>,
): Promise<void> {
  try {
    await deps.db.transaction().execute(async (trx) => {
      const { outcome, activityId, message } = await work(trx);
      await recordImportEntry(trx, importId, { entryName, outcome, activityId, message });
    });
  } catch (error) {
    // A value the database refuses (an out-of-range number, a NUL in a text) is this entry's problem:
    // recorded as failed so the import goes on. Anything else (a lost connection) stops the run, which
    // resumes at this entry.
    // An entry refused as it is (an implausible date) is recorded with its reason; the import goes on.
    const refused = error instanceof AppError && error.code === 'bad_request';
    if (!refused && !isDataError(error)) throw error;
    deps.logger.warn({ err: error, importId, entryName }, 'export entry refused');
    const message = refused ? error.userMessage : 'values in this file could not be stored';
    await deps.db
      .transaction()
      .execute((trx) =>
        recordImportEntry(trx, importId, { entryName, outcome: 'failed', activityId: null, message }),
      );
  }
}

/** Postgres SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

/** First pass: activities.csv and how many activity entries there are. Not a ZIP, or no CSV: refused. */
async function survey(path: string): Promise<{ csv: ExportActivity[]; total: number }> {
  let zip: Awaited<ReturnType<typeof openZip>>;
  try {
    zip = await openZip(path);
  } catch (error) {
    throw new ExportUnreadableError(`the upload is not a readable ZIP archive (${(error as Error).message})`);
  }
  let csv: ExportActivity[] | null = null;
  const names = new Set<string>();
  try {
    for await (const entry of zip.entries()) {
      if (/(^|\/)activities\.csv$/i.test(entry.fileName) && csv === null) {
        csv = parseActivitiesCsv((await zip.read(entry, maxCsvBytes)).toString('utf8'));
      } else if (activityEntry.test(entry.fileName) && !entry.fileName.endsWith('/')) {
        names.add(entry.fileName.replaceAll('\u0000', ''));
      }
    }
  } catch (error) {
    if (error instanceof ZipEntryTooLargeError)
      throw new ExportUnreadableError('activities.csv is implausibly large');
    throw new ExportUnreadableError(`the ZIP archive is damaged (${(error as Error).message})`);
  }
  if (csv === null) {
    throw new ExportUnreadableError(
      'this ZIP has no activities.csv, so it is not a Strava bulk export (Strava: Settings → My Account → Download or Delete Your Account)',
    );
  }
  return { csv, total: names.size };
}

async function writeChunksToFile(deps: ExportImportDeps, importId: string, path: string): Promise<void> {
  const db = deps.db;
  // One chunk in memory at a time.
  async function* chunks() {
    for (let seq = 0; ; seq++) {
      const chunk = await readImportChunk(db, importId, seq);
      if (!chunk) return;
      yield chunk;
    }
  }
  await pipeline(chunks, createWriteStream(path));
}

/**
 * Marks the import done after one PMC recompute. An import that created exactly one new activity is a
 * single workout arriving, as by /upload: its message is queued in the same transaction (so a retry of a
 * finished import neither loses nor repeats it) and its id returned for the job to be sent. A bulk import
 * gets only its summary.
 */
async function finish(deps: ExportImportDeps, importId: string): Promise<string | null> {
  const row = await loadImport(deps, importId);
  const created = await importedActivityIds(deps.db, importId, 2);
  const single = created.length === 1 ? created[0]! : null;
  // A multisport file is one workout whose entry names its first leg: every leg goes in the one message.
  const legs = single ? await multisportLegIds(deps.db, row.athlete_id, single) : [];
  const workout = single ? [...new Set([single, ...legs])] : [];
  const first = await importFirstDay(deps.db, importId);
  await deps.db.transaction().execute(async (trx) => {
    await lockAthlete(trx, row.athlete_id);
    if (first) await settleLoad(trx, row.athlete_id, first, deps.now());
    await updateExportImport(trx, importId, { state: 'done', finished_at: new Date() });
    await deleteImportChunks(trx, importId);
    for (const activityId of workout) await queueWorkoutMessage(trx, row.athlete_id, activityId);
  });
  return single;
}

/** The job that sends a queued workout message; the import succeeded, so a failure here is only logged. */
async function sendWorkoutMessage(deps: ExportImportDeps, athleteId: string, activityId: string) {
  try {
    await deps.boss.send(
      jobNames.workoutMessage,
      { athleteId },
      { startAfter: workoutMessageDelaySeconds, priority: priorities.live },
    );
  } catch (error) {
    deps.logger.error({ err: error, activityId }, 'workout message not queued');
  }
}

function processed(row: ExportImportRow): number {
  return row.imported + row.duplicates + row.failed;
}

async function notify(
  deps: ExportImportDeps,
  row: ExportImportRow,
  notification: Notification,
): Promise<void> {
  if (!row.notify_discord_user_id) return;
  try {
    await deps.boss.send(jobNames.notify, { discordUserId: row.notify_discord_user_id, ...notification });
  } catch (error) {
    // A progress message is not worth failing (and redoing) an import for.
    deps.logger.warn(
      { err: error, importId: row.id, kind: notification.kind },
      'import notification not queued',
    );
  }
}

async function loadImport(deps: ExportImportDeps, importId: string): Promise<ExportImportRow> {
  const row = await findExportImport(deps.db, importId);
  if (!row) throw new Error(`export import ${importId} not found`);
  return row;
}

/**
 * An import of a ZIP already on this machine (the operator CLI): resumes this athlete's unfinished import
 * of the same file, or starts one. Size and ZIP signature are checked before anything is recorded.
 */
export async function prepareLocalImport(
  deps: ExportImportDeps,
  athleteId: string,
  path: string,
  notifyDiscordUserId: string | null,
): Promise<{ importId: string; resumed: boolean }> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => null);
  if (!info?.isFile()) throw new AppError('not_found', { message: `no file at ${absolute}` });
  const handle = await open(absolute, 'r');
  const head = Buffer.alloc(4);
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  if (!head.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    throw new AppError('bad_request', { message: `${absolute} is not a ZIP archive (wrong signature)` });
  }
  const unfinished = await findUnfinishedLocalImport(deps.db, athleteId, absolute);
  if (unfinished) return { importId: unfinished.id, resumed: true };
  const importId = await insertExportImport(deps.db, {
    athlete_id: athleteId,
    state: 'queued',
    local_path: absolute,
    file_name: absolute.split('/').at(-1) ?? null,
    byte_size: String(info.size),
    notify_discord_user_id: notifyDiscordUserId,
  });
  return { importId, resumed: false };
}
