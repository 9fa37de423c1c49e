import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slashCommands } from '../../bot/commands/index.ts';
import { findDueDigests } from '../../bot/digest/find-due-digests.ts';
import { notifyJob } from '../../bot/jobs/notify.job.ts';
import { registerCommands } from '../../bot/register-commands.ts';
import demoCommand from '../../cli/commands/demo.ts';
import { createLoginLink } from '../../console/auth.ts';
import { demoDiscordUserId } from '../../console/demo/demo-athlete.ts';
import { deliverExport } from '../../exports/deliver-export.ts';
import { localDate } from '../../lib/local-time.ts';
import { type Harness, startHarness } from '../context.ts';
import { type DiscordFake, startDiscordFake } from '../fakes/discord/discord-fake.ts';
import { type OpenAiFake, say, startOpenAiFake } from '../fakes/openai/openai-fake.ts';

const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
// Screenshots for the README go to docs/ only when asked (CONSOLE_SCREENSHOTS=1); a plain test run writes
// them to a temporary folder, so `npm test` never changes tracked files.
const screenshots = process.env.CONSOLE_SCREENSHOTS
  ? new URL('../../docs/', import.meta.url)
  : pathToFileURL(`${mkdtempSync(path.join(tmpdir(), 'threshold-console-'))}/`);
const consolePassword = 'correct horse battery staple';
const coachAnswer = 'Your legs are still carrying the race: keep this week easy and let your form come back.';

/** Row counts of every table of ours (public schema): the demo must leave each as it found it. */
async function rowCounts(h: Harness): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely_%'
    ORDER BY table_name
  `.execute(h.database.db);
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const row = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(name)}`.execute(h.database.db);
    counts[name] = Number(row.rows[0]!.n);
  }
  return counts;
}

/**
 * The operator console in headless Chromium (the system's, driven by playwright-core): log in with the
 * printed link, read the setup checks against the fakes, load the demo, talk to the bot's own commands
 * and coach, and remove the demo without a row left behind.
 */
describe('operator console in a browser', () => {
  let discord: DiscordFake;
  let openai: OpenAiFake;
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let before: Record<string, number>;

  beforeAll(async () => {
    if (!chromiumPath) throw new Error('Chromium is missing: apt-get install chromium (.ci/run installs it)');
    discord = await startDiscordFake({ token: 'console-bot-token', quiet: true });
    openai = await startOpenAiFake();
    h = await startHarness({
      env: {
        DISCORD_TOKEN: 'console-bot-token',
        DISCORD_APP_ID: discord.appId,
        DISCORD_API_URL: discord.apiUrl,
        OPENAI_API_KEY: openai.apiKey,
        OPENAI_BASE_URL: openai.baseUrl,
        CONSOLE_PASSWORD: consolePassword,
      },
    });
    await registerCommands(
      { token: 'console-bot-token', appId: discord.appId, apiUrl: discord.apiUrl, guildId: null },
      slashCommands as never,
    );
    // A real athlete, whom the demo must not disturb and the chat panel must not show.
    await h.database.db
      .insertInto('athletes')
      .values({ discord_user_id: '600000000000000042', name: 'Real Rider' })
      .execute();
    browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The machine is shared: a chart or a model call may take a while under load.
    page.setDefaultTimeout(60_000);
    mkdirSync(screenshots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    await openai?.stop();
    await discord?.close();
  });

  it('refuses every console request without a session', async () => {
    const home = await fetch(`${h.baseUrl}/`);
    expect(home.status).toBe(401);
    expect(home.headers.get('cache-control')).toBe('no-store');
    expect(await home.text()).toContain('one-time link');
    for (const path of [
      '/console/chat/command',
      '/console/demo',
      '/console/chat/dm',
      '/console/chat/attachment',
    ]) {
      const response = await fetch(`${h.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ command: 'form', options: {}, text: 'hi' }),
      });
      expect(response.status, path).toBe(401);
    }
    expect((await fetch(`${h.baseUrl}/console/health`)).status).toBe(401);
    // A made-up login token opens nothing.
    expect((await fetch(`${h.baseUrl}/console/login?token=${'x'.repeat(43)}`)).status).toBe(401);
  });

  it('logs in with CONSOLE_PASSWORD, and not with a wrong one', async () => {
    const login = (password: string) =>
      fetch(`${h.baseUrl}/console/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ password }),
      });
    const wrong = await login('correct horse battery stable');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const right = await login(consolePassword);
    expect(right.status).toBe(303);
    const cookie = right.headers.get('set-cookie')!;
    expect(cookie).toMatch(
      /^threshold-console=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    const home = await fetch(`${h.baseUrl}/`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(home.status).toBe(200);
    expect(home.headers.get('cache-control')).toBe('no-store');
    expect(await home.text()).not.toContain(consolePassword);
  });

  it('logs in with the printed one-time link, which then works no more', async () => {
    const link = await createLoginLink(h.database.db, h.baseUrl);
    const response = await page.goto(link);
    expect(response?.url()).toBe(`${h.baseUrl}/`);
    await expect(page.locator('h2', { hasText: 'Setup and health' }).count()).resolves.toBe(1);
    const again = await fetch(link, { redirect: 'manual' });
    expect(again.status).toBe(401);
    // The session cookie is HttpOnly and SameSite=Strict; the page carries no configured secret.
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const html = await page.content();
    for (const secret of ['console-bot-token', openai.apiKey, h.strava.clientSecret, consolePassword]) {
      expect(html).not.toContain(secret);
    }
  });

  it('checks each feature live against the fakes', async () => {
    const check = (name: string) => page.locator(`[data-check="${name}"]`);
    await expect(check('Discord bot:Token').getAttribute('class')).resolves.toContain('ok');
    await expect(check('Discord bot:Commands').textContent()).resolves.toContain(
      `all ${slashCommands.length} registered`,
    );
    await expect(check('Strava:Credentials').getAttribute('class')).resolves.toContain('ok');
    // No push subscription was created on the fake: the check says so and how to fix it.
    await expect(check('Strava:Push subscription').textContent()).resolves.toContain(
      'strava-subscription create',
    );
    // PUBLIC_URL is loopback in tests: Strava cannot reach it, and the console says it did not check.
    await expect(check('Strava:PUBLIC_URL').getAttribute('class')).resolves.toContain('unchecked');
    await expect(check('AI coach:Model').textContent()).resolves.toContain('serves gpt-4o-mini');
    await expect(page.locator('[data-stat="athletes"]').textContent()).resolves.toBe('1');
  });

  it('refuses a write without the session’s CSRF token', async () => {
    const cookie = (await page.context().cookies())[0]!;
    const response = await fetch(`${h.baseUrl}/console/demo`, {
      method: 'POST',
      headers: {
        cookie: `${cookie.name}=${cookie.value}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: '_csrf=forged',
    });
    expect(response.status).toBe(403);
  });

  it('loads the demo athlete with one button: a season, marked as demo, never counted or messaged', async () => {
    // Before: after the health checks, whose Strava call starts the shared rate-limit row.
    before = await rowCounts(h);
    await Promise.all([
      page.waitForURL(/notice=/, { timeout: 240_000 }),
      page.click('#demo-load', { timeout: 240_000 }),
    ]);
    await expect(page.locator('.notice').textContent()).resolves.toMatch(
      /Demo athlete loaded: \d+ activities/,
    );
    const db = h.database.db;
    const demo = await db
      .selectFrom('athletes')
      .selectAll()
      .where('demo', '=', true)
      .executeTakeFirstOrThrow();
    expect(demo.discord_user_id).toBe(demoDiscordUserId);
    const activities = await db
      .selectFrom('activities')
      .leftJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
      .select([
        'activities.sport_type',
        'activities.local_date',
        'activities.name',
        'activity_metrics.np_w',
        'activity_metrics.stress',
      ])
      .where('activities.athlete_id', '=', demo.id)
      .execute();
    const dates = activities.map((a) => a.local_date).sort();
    const spanDays = (Date.parse(dates.at(-1)!) - Date.parse(dates[0]!)) / 86_400_000;
    expect(spanDays).toBeGreaterThanOrEqual(16 * 7 - 7);
    expect(activities.filter((a) => a.sport_type === 'Ride' && a.np_w !== null).length).toBeGreaterThan(30);
    expect(activities.filter((a) => a.sport_type === 'Run').length).toBeGreaterThan(15);
    expect(activities.filter((a) => a.sport_type === 'Swim').length).toBeGreaterThan(0);
    expect(activities.some((a) => a.name.includes('Triathlon'))).toBe(true);
    expect(activities.every((a) => a.stress !== null && Number.isFinite(a.stress))).toBe(true);
    const plans = await db
      .selectFrom('planned_workouts')
      .select('id')
      .where('athlete_id', '=', demo.id)
      .execute();
    expect(plans.length).toBeGreaterThan(0);
    const goals = await db
      .selectFrom('race_goals')
      .select('name')
      .where('athlete_id', '=', demo.id)
      .execute();
    expect(goals).toHaveLength(1);
    // Never counted: the console still says one athlete; never messaged: even with the digest on.
    await expect(page.locator('[data-stat="athletes"]').textContent()).resolves.toBe('1');
    await db
      .updateTable('athletes')
      .set({ digest_enabled: true, digest_time: '00:00' })
      .where('demo', '=', true)
      .execute();
    const due = await findDueDigests(db, new Date());
    expect(due.map((d) => d.athleteId)).not.toContain(demo.id);
    // Nor by any other way the bot DMs: a notification job, an export delivery.
    await notifyJob.handler(
      { discordUserId: demoDiscordUserId, kind: 'connected', data: { count: 3 } },
      h.ctx,
      {} as never,
    );
    await expect(deliverExport(h.ctx, demoDiscordUserId)).resolves.toBe('no_discord');
    expect(discord.dms(demoDiscordUserId)).toEqual([]);
    await page.screenshot({ path: new URL('console-setup.png', screenshots).pathname, fullPage: false });
  }, 300_000);

  it('runs /form in the chat panel: the PMC chart and today’s numbers', async () => {
    const demo = await h.database.db
      .selectFrom('athletes')
      .selectAll()
      .where('demo', '=', true)
      .executeTakeFirstOrThrow();
    const today = localDate(h.ctx.now(), demo.timezone);
    const load = await h.database.db
      .selectFrom('daily_load')
      .select(['ctl', 'atl'])
      .where('athlete_id', '=', demo.id)
      .where('date', '=', today)
      .executeTakeFirstOrThrow();
    await page.selectOption('#command', 'form');
    await page.click('#command-form button[type=submit]');
    const reply = page.locator('#transcript article.message.bot').last();
    await reply.locator('img.image').waitFor({ timeout: 60_000 });
    const text = await reply.textContent();
    expect(text).toContain('Fitness (CTL)');
    expect(text).toContain(load.ctl.toFixed(1));
    expect(text).toContain(load.atl.toFixed(1));
    const src = await reply.locator('img.image').getAttribute('src');
    expect(src).toMatch(/^data:image\/png;base64,/);
    const size = await reply
      .locator('img.image')
      .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
    // The PNG decoded in the browser: a real chart, not a broken image.
    expect(size).toBeGreaterThan(300);
    await reply.screenshot({ path: new URL('console-form.png', screenshots).pathname });
  }, 90_000);

  it('runs /activity with an autocompleted choice, and its chart', async () => {
    await page.selectOption('#command', 'activity');
    const input = page.locator('fieldset[data-command="activity"] input[name="activity"]');
    await input.fill('Triathlon');
    const options = page.locator('#list-activity-activity option');
    await options.first().waitFor({ state: 'attached', timeout: 20_000 });
    const choiceLabel = await options.first().getAttribute('label');
    expect(choiceLabel).toContain('Triathlon');
    await input.fill((await options.first().getAttribute('value'))!);
    await page.click('#command-form button[type=submit]');
    const reply = page.locator('#transcript article.message.bot').last();
    await reply.locator('img').first().waitFor({ timeout: 60_000 });
    const text = await reply.textContent();
    expect(text).toContain('Demo Sprint Triathlon');
    expect(text).toMatch(/stress/i);
  }, 90_000);

  it('runs /week date:last week: the weekly chart and that week’s totals', async () => {
    await page.selectOption('#command', 'week');
    await page.fill('fieldset[data-command="week"] input[name="date"]', 'last week');
    await page.click('#command-form button[type=submit]');
    const reply = page.locator('#transcript article.message.bot').last();
    await reply.locator('img.image').waitFor({ timeout: 60_000 });
    const text = (await reply.textContent()) ?? '';
    expect(text).toMatch(/Week of /);
    expect(text).toContain('4-week average');
    // The 4-week average of a season of training is a real time, stress and number of workouts.
    expect(text).toMatch(/4-week average: [\d:]+ · .*\d+ TSS · [\d.]+ workouts?/);
    // Last week's total stress is the sum of the stored activities' stress, Monday to Sunday.
    const demo = await h.database.db
      .selectFrom('athletes')
      .selectAll()
      .where('demo', '=', true)
      .executeTakeFirstOrThrow();
    const today = localDate(h.ctx.now(), demo.timezone);
    const monday = new Date(`${today}T00:00:00Z`);
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7) - 7);
    const sunday = new Date(monday.getTime() + 6 * 86_400_000);
    const week = await h.database.db
      .selectFrom('activities')
      .innerJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
      .select('activity_metrics.stress')
      .where('activities.athlete_id', '=', demo.id)
      .where('activities.local_date', '>=', monday.toISOString().slice(0, 10))
      .where('activities.local_date', '<=', sunday.toISOString().slice(0, 10))
      .execute();
    const weekStress = Math.round(week.reduce((sum, a) => sum + (a.stress ?? 0), 0));
    expect(week.length).toBeGreaterThan(0);
    expect(text).toMatch(new RegExp(`Total(?:(?!4-week).)*(?<!\\d)${weekStress} TSS`));
    const size = await reply
      .locator('img.image')
      .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
    expect(size).toBeGreaterThan(300);
  }, 90_000);

  it('uploads a FIT file through /upload: the same handler downloads it and stores the activity', async () => {
    const fixture = new URL('../fixtures/fit/garmin-Activity.fit', import.meta.url).pathname;
    // The attachment endpoint wants the session's CSRF token, like every other write.
    const cookie = (await page.context().cookies())[0]!;
    const forged = await fetch(`${h.baseUrl}/console/chat/attachment`, {
      method: 'POST',
      headers: { cookie: `${cookie.name}=${cookie.value}`, 'x-file-name': 'a.fit' },
      body: 'not a fit file',
    });
    expect(forged.status).toBe(403);
    const uploadedActivities = () =>
      h.database.db
        .selectFrom('activities')
        .innerJoin('athletes', 'athletes.id', 'activities.athlete_id')
        .innerJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
        .select(['activities.id', 'activities.name', 'activity_metrics.stress'])
        .where('athletes.demo', '=', true)
        .where('activities.source', '=', 'file_upload')
        .execute();
    const uploadedBefore = await uploadedActivities();
    await page.selectOption('#command', 'upload');
    await page.setInputFiles('fieldset[data-command="upload"] input[name="file"]', fixture);
    await page.click('#command-form button[type=submit]');
    const reply = page.locator('#transcript article.message.bot', { hasText: 'From garmin-Activity.fit' });
    await reply.waitFor({ timeout: 60_000 });
    await expect(page.locator('#transcript article.message.user').last().textContent()).resolves.toBe(
      '/upload file:garmin-Activity.fit',
    );
    const uploaded = await uploadedActivities();
    expect(uploaded.length).toBe(uploadedBefore.length + 1);
    const stored = uploaded.filter((a) => !uploadedBefore.some((b) => b.id === a.id));
    expect(stored).toHaveLength(1);
    expect(Number.isFinite(stored[0]!.stress)).toBe(true);
    expect(await reply.textContent()).toContain(stored[0]!.name);
  }, 90_000);

  it('asks the coach (the OpenAI fake) by /coach and by direct message', async () => {
    openai.setFallback(say(coachAnswer));
    await page.selectOption('#command', 'coach');
    await page.fill(
      'fieldset[data-command="coach"] input[name="question"]',
      'How is my form after the race?',
    );
    await page.click('#command-form button[type=submit]');
    await page
      .locator('#transcript article.message.bot', { hasText: 'keep this week easy' })
      .waitFor({ timeout: 60_000 });
    const asked = openai.requests
      .at(-1)!
      .body.messages.map((m) => m.content ?? '')
      .join('\n');
    expect(asked).toContain('How is my form after the race?');
    const before = openai.requests.length;
    await page.fill('#dm', 'Should I ride tomorrow?');
    await page.click('#dm-form button[type=submit]');
    await expect
      .poll(
        async () =>
          page.locator('#transcript article.message.bot', { hasText: 'keep this week easy' }).count(),
        { timeout: 60_000 },
      )
      .toBe(2);
    expect(openai.requests.length).toBeGreaterThan(before);
  }, 120_000);

  it('presses a reply’s button: /plan week → next week replaces the message', async () => {
    await page.selectOption('#command', 'plan');
    await page.selectOption('fieldset[data-command="plan"] select.subcommand', 'week');
    await page.click('#command-form button[type=submit]');
    const reply = page.locator('#transcript article.message.bot').last();
    await reply.locator('button[data-custom-id^="plan:week:"]').first().waitFor({ timeout: 60_000 });
    const title = await reply.locator('.embed .title').first().textContent();
    const count = await page.locator('#transcript article.message.bot').count();
    await reply.locator('button', { hasText: 'Next week' }).click();
    await expect
      .poll(async () => page.locator('#transcript article.message.bot .embed .title').last().textContent(), {
        timeout: 60_000,
      })
      .not.toBe(title);
    expect(await page.locator('#transcript article.message.bot').count()).toBe(count);
    await page.locator('#chat').scrollIntoViewIfNeeded();
    await page.screenshot({ path: new URL('console-chat.png', screenshots).pathname, fullPage: true });
  }, 90_000);

  it('shows a real athlete only when the operator opens one, and goes back to the demo', async () => {
    const db = h.database.db;
    const real = await db
      .selectFrom('athletes')
      .select('id')
      .where('demo', '=', false)
      .executeTakeFirstOrThrow();
    await expect(page.locator('.viewing').textContent()).resolves.toContain('Demo Athlete');
    await page.selectOption('select[name="athleteId"]', real.id);
    await Promise.all([page.waitForURL(/#chat$/), page.click('form[action="/console/athlete"] button')]);
    await expect(page.locator('.viewing').textContent()).resolves.toContain('Real Rider — a real athlete');
    const sessions = await db.selectFrom('console_sessions').select('opened_athlete_id').execute();
    expect(sessions.map((s) => s.opened_athlete_id)).toContain(real.id);
    await page.selectOption('select[name="athleteId"]', '');
    await page.click('form[action="/console/athlete"] button');
    await expect
      .poll(async () => page.locator('.viewing').textContent())
      .toContain('Talking as Demo Athlete');
  }, 60_000);

  it('removes the demo with `cli demo --remove`: not a row left behind in any table', async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = h.database.url;
    const out: string[] = [];
    try {
      const code = await demoCommand.run(['--remove'], { out: (t) => out.push(t), err: () => {} });
      expect(code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
    expect(out.join('\n')).toContain('Demo athlete removed');
    const after = await rowCounts(h);
    // Console sessions and login links are the operator's, not the demo's.
    delete after.console_sessions;
    delete after.console_login_links;
    const expected = { ...before };
    delete expected.console_sessions;
    delete expected.console_login_links;
    expect(after).toEqual(expected);
  }, 60_000);
});
