import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer as readAll } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import exportCommand from '../bot/commands/export.ts';
import { exportToFile } from '../cli/commands/export.ts';
import { eventually, givenConnectedAthlete, type Harness, startHarness } from '../test/context.ts';
import { type DiscordFake, startDiscordFake } from '../test/fakes/discord/discord-fake.ts';
import { buildAthleteExport } from './build-export.ts';
import { deliverExport } from './deliver-export.ts';

const ada = '620000000000000001';
const bob = '620000000000000002';
const bobMarker = 'Bob-only-9f3k';

async function unzip(zip: Buffer): Promise<Map<string, string>> {
  const file = await yauzl.fromBufferPromise(zip);
  const entries = new Map<string, string>();
  for await (const entry of file.eachEntry()) {
    entries.set(entry.fileName, (await readAll(await file.openReadStreamPromise(entry))).toString('utf8'));
  }
  return entries;
}

const parseCsv = (text: string) => text.trimEnd().split('\r\n');

describe('/export: all of an athlete’s data, and nothing of anyone else', () => {
  let discord: DiscordFake;
  let h: Harness;
  let adaId: string;
  let bobId: string;

  async function connect(discordUserId: string, name: string, activities: number): Promise<string> {
    const given = await givenConnectedAthlete(h, {
      discordUserId,
      athlete: { firstname: name, lastname: 'Tester' },
      activities: Array.from({ length: activities }, (_, i) => ({
        sport: i % 2 ? 'Run' : 'Ride',
        durationS: 900,
        name: `${name} workout ${i}`,
        startDate: new Date(h.strava.now().getTime() - (i + 1) * 86_400_000),
      })),
      initialSync: 'synced',
    });
    return given.athleteId;
  }

  beforeAll(async () => {
    discord = await startDiscordFake({ token: 'test-bot-token', quiet: true });
    h = await startHarness({
      env: {
        DISCORD_TOKEN: 'test-bot-token',
        DISCORD_APP_ID: discord.appId,
        DISCORD_API_URL: discord.apiUrl,
      },
    });
    await h.startWorkers();
    adaId = await connect(ada, 'Ada', 4);
    bobId = await connect(bob, bobMarker, 3);
    for (const [athleteId, who] of [
      [adaId, 'Ada'],
      [bobId, bobMarker],
    ] as const) {
      await h.database.db
        .insertInto('athlete_thresholds')
        .values({
          athlete_id: athleteId,
          kind: 'ftp',
          value: who === 'Ada' ? 251 : 313,
          effective_date: '2026-01-01',
        })
        .execute();
      await h.database.db
        .insertInto('coach_messages')
        .values([
          { athlete_id: athleteId, role: 'user', content: `${who}: how is my form?` },
          { athlete_id: athleteId, role: 'assistant', content: `${who}, your form is fine.` },
        ])
        .execute();
      await h.database.db
        .insertInto('race_goals')
        .values({ athlete_id: athleteId, date: '2027-05-01', name: `${who} spring race` })
        .execute();
      await h.database.db
        .insertInto('planned_workouts')
        .values({ athlete_id: athleteId, date: '2026-12-01', sport: 'Ride', title: `${who} intervals` })
        .execute();
    }
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await discord?.close();
  });

  /** Every table holding athlete rows, as the schema says (so a table added later is checked too). */
  async function athleteTables(): Promise<string[]> {
    const { rows } = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'athlete_id'
      ORDER BY table_name`.execute(h.database.db);
    return rows.map((r) => r.table_name).filter((t) => t !== 'data_exports');
  }

  async function expectAdasExport(files: Map<string, string>) {
    const text = [...files.values()].join('\n');
    // Nothing of Bob: not his name, his Discord id, his activities, or any row of his.
    expect(text).not.toContain(bobMarker);
    expect(text).not.toContain(bob);
    // No credential, encrypted or not.
    const connection = await h.database.db
      .selectFrom('strava_connections')
      .select(['access_token_enc', 'refresh_token_enc'])
      .where('athlete_id', '=', adaId)
      .executeTakeFirstOrThrow();
    expect(text).not.toContain(connection.access_token_enc);
    expect(text).not.toContain(h.ctx.strava!.cipher.decrypt(connection.access_token_enc));
    expect(text).not.toContain(h.ctx.strava!.cipher.decrypt(connection.refresh_token_enc));

    const athlete = JSON.parse(files.get('athlete.json')!);
    // The zone follows the newest Strava activity (the fake's are in Europe/Paris).
    expect(athlete).toMatchObject({
      id: adaId,
      discord_user_id: ada,
      name: 'Ada Tester',
      timezone: 'Europe/Paris',
    });

    // Every row of every athlete table, JSON and CSV.
    for (const table of await athleteTables()) {
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE athlete_id = ${adaId}`.execute(
        h.database.db,
      );
      const exported = JSON.parse(files.get(`${table}.json`) ?? 'null') as Record<string, unknown>[] | null;
      expect(exported, `${table}.json`).not.toBeNull();
      expect(exported!.length, `${table}.json rows`).toBe(rows[0]!.n);
      for (const row of exported!) expect(row.athlete_id).toBe(adaId);
      expect(parseCsv(files.get(`${table}.csv`)!).length, `${table}.csv rows`).toBe(rows[0]!.n + 1);
    }
    // Rows about the athlete kept under a run of theirs (the Strava summaries of each sync), not under
    // an athlete_id of their own.
    const items = await h.database.db
      .selectFrom('sync_run_items')
      .innerJoin('sync_runs', 'sync_runs.id', 'sync_run_items.sync_run_id')
      .select(['sync_run_items.sync_run_id', 'sync_runs.athlete_id'])
      .execute();
    const adaItems = items.filter((i) => i.athlete_id === adaId);
    expect(adaItems.length).toBeGreaterThan(0);
    expect(items.length).toBeGreaterThan(adaItems.length);
    const exportedItems = JSON.parse(files.get('sync_run_items.json')!) as { sync_run_id: string }[];
    expect(exportedItems).toHaveLength(adaItems.length);
    expect(new Set(exportedItems.map((i) => i.sync_run_id))).toEqual(
      new Set(adaItems.map((i) => i.sync_run_id)),
    );
    expect(files.has('export_import_entries.json')).toBe(true);
    expect(files.has('export_import_chunks.json')).toBe(false);
    for (const table of ['activities', 'activity_metrics', 'daily_load', 'athlete_thresholds']) {
      expect(JSON.parse(files.get(`${table}.json`)!).length, table).toBeGreaterThan(0);
    }
    expect(JSON.parse(files.get('coach_messages.json')!).map((m: { content: string }) => m.content)).toEqual([
      'Ada: how is my form?',
      'Ada, your form is fine.',
    ]);
    expect(JSON.parse(files.get('race_goals.json')!)[0].name).toBe('Ada spring race');
    expect(JSON.parse(files.get('planned_workouts.json')!)[0].title).toBe('Ada intervals');
    const metrics = JSON.parse(files.get('activity_metrics.json')!)[0];
    expect(typeof metrics.stress).toBe('number');
    expect(metrics.metrics).toBeTypeOf('object');
    expect(JSON.parse(files.get('strava_connections.json')!)[0]).not.toHaveProperty('access_token_enc');
    expect(parseCsv(files.get('activities.csv')!)[0]).toContain('sport_type');

    // The streams, exactly as stored.
    const streams = await h.database.db
      .selectFrom('activity_streams')
      .innerJoin('activities', 'activities.id', 'activity_streams.activity_id')
      .select(['activity_streams.activity_id', 'activity_streams.data'])
      .where('activities.athlete_id', '=', adaId)
      .execute();
    expect(streams.length).toBeGreaterThan(0);
    for (const s of streams) {
      expect(JSON.parse(files.get(`streams/${s.activity_id}.json`)!)).toEqual(
        JSON.parse(gunzipSync(s.data).toString('utf8')),
      );
    }
    expect([...files.keys()].filter((f) => f.startsWith('streams/'))).toHaveLength(streams.length);
    const manifest = JSON.parse(files.get('manifest.json')!);
    expect(manifest.format).toBe('threshold-export/1');
    expect(files.get('README.txt')).toContain('Powered by Strava');
  }

  it('round-trips: every table, row and stream of the athlete, no other athlete, no credential', async () => {
    const { zip } = await buildAthleteExport(h.database.db, adaId, h.ctx.now());
    await expectAdasExport(await unzip(zip));
  });

  it('/export DMs the ZIP as an attachment', async () => {
    const reply = await exportCommand.execute(
      {
        invoker: { userId: ada, username: 'ada', inGuild: true, interactionId: '1' },
        options: {},
        progress: async () => {},
      },
      h.ctx,
    );
    expect(reply.content).toContain('Preparing your data export');
    const dm = await eventually(
      () => Promise.resolve(discord.dms(ada).find((m) => m.attachments.length > 0)),
      15_000,
      'export DM',
    );
    const [attachment] = dm.attachments;
    expect(attachment!.filename).toMatch(/^threshold-export-\d{4}-\d{2}-\d{2}\.zip$/);
    expect(attachment!.contentType).toBe('application/zip');
    expect(dm.content).toContain('4 activities');
    await expectAdasExport(await unzip(attachment!.bytes));
  });

  it('a large export goes by a signed one-time link that expires', async () => {
    const before = discord.dms(ada).length;
    expect(await deliverExport(h.ctx, ada, { maxAttachmentBytes: 100 })).toBe('link');
    const dm = discord.dms(ada)[before]!;
    expect(dm.attachments).toHaveLength(0);
    const button = (dm.components[0] as { components: { label: string; url: string }[] }).components[0]!;
    expect(button.label).toBe('Download your data');
    expect(button.url.startsWith(`${h.baseUrl}/exports/`)).toBe(true);

    // Opening the link (or a link preview) shows a page; only the button's POST downloads, once.
    const page = await fetch(button.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Download');
    const download = await fetch(button.url, { method: 'POST' });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    expect(download.headers.get('content-disposition')).toMatch(/attachment; filename="threshold-export-/);
    await expectAdasExport(await unzip(Buffer.from(await download.arrayBuffer())));
    expect((await fetch(button.url, { method: 'POST' })).status).toBe(410);
    expect((await fetch(button.url)).status).toBe(410);

    // A forged or altered link is refused; an unused one stops working after 24 hours.
    const [id, expires, signature] = button.url.split('/').at(-1)!.split('.');
    const forged = `${h.baseUrl}/exports/${Number(id) + 1}.${expires}.${signature}`;
    expect((await fetch(forged, { method: 'POST' })).status).toBe(404);
    const later = discord.dms(ada).length;
    await deliverExport(h.ctx, ada, { maxAttachmentBytes: 100 });
    const fresh = (discord.dms(ada)[later]!.components[0] as { components: { url: string }[] }).components[0]!
      .url;
    h.strava.advance(24 * 3600_000 + 1000);
    expect((await fetch(fresh, { method: 'POST' })).status).toBe(410);
    expect(await h.database.db.selectFrom('data_exports').select('id').execute()).toHaveLength(1);
  });

  it('cli export writes the same archive to a file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'threshold-export-'));
    try {
      const out = path.join(dir, 'ada.zip');
      const contents = await exportToFile(h.database.db, ada, out, h.ctx.now());
      expect(contents.tables).toContain('activities');
      await expectAdasExport(await unzip(await readFile(out)));
      await expect(exportToFile(h.database.db, '620000000000000003', out)).rejects.toThrow(/no athlete/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
