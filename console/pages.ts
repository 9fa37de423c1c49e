import type { APIApplicationCommandOption } from 'discord.js';
import type { BotContext } from '../bot/bot-context.ts';
import type { SlashCommand } from '../bot/command.ts';
import { maxActivityFileBytes } from '../imports/limits.ts';
import type { FeatureStatus } from './checks.ts';
import type { ConsoleStats } from './stats.ts';
import { escapeHtml as e } from './web-adapter.ts';

/** Server-rendered pages of the console; `/console/console.js` adds the live parts (no build step). */

function layout(title: string, body: string, csrf?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${csrf ? `<meta name="csrf-token" content="${e(csrf)}">` : ''}
<title>${e(title)} · Threshold</title>
<link rel="stylesheet" href="/console/console.css">
</head><body>${body}${csrf ? '<script src="/console/console.js" defer></script>' : ''}</body></html>`;
}

export function loginPage(options: { passwordEnabled: boolean; error?: string }): string {
  const form = options.passwordEnabled
    ? `<form method="post" action="/console/login" class="login">
<label>Password <input type="password" name="password" autocomplete="current-password" required autofocus></label>
<button type="submit">Log in</button></form>`
    : '';
  return layout(
    'Log in',
    `<main class="narrow"><h1>Threshold console</h1>
${options.error ? `<p class="error" role="alert">${e(options.error)}</p>` : ''}
<p>The console is for the operator. Open the one-time link <code>npm start</code> printed in the terminal${
      options.passwordEnabled
        ? ', or enter <code>CONSOLE_PASSWORD</code>'
        : ' (or set <code>CONSOLE_PASSWORD</code> to log in with a password)'
    }.</p>${form}</main>`,
  );
}

const stateLabel = { ok: '✔ ok', fail: '✖ failing', off: '— off', unchecked: '? not checked' } as const;

export function healthHtml(features: FeatureStatus[], stats: ConsoleStats, now: Date): string {
  const featureRows = features
    .map(
      (f) => `<tr class="${f.on ? 'on' : 'off'}"><th scope="row">${e(f.name)}</th>
<td><span class="pill ${f.on ? 'on' : 'off'}">${f.on ? 'on' : 'off'}</span></td>
<td>${e(f.summary)}<div class="hint">turned on by <code>${e(f.turnedOnBy)}</code></div></td>
<td>${f.checks
        .map(
          (c) =>
            `<div class="check ${c.state}" data-check="${e(f.name)}:${e(c.label)}"><span class="state">${stateLabel[c.state]}</span> ${e(c.label)}: ${e(c.detail)}</div>`,
        )
        .join('')}</td></tr>`,
    )
    .join('');
  const queueRows = stats.queues.length
    ? stats.queues
        .map(
          (q) =>
            `<tr><td><code>${e(q.name)}</code></td><td class="num">${q.queued}</td><td class="num">${q.active}</td><td class="num${q.failed ? ' bad' : ''}">${q.failed}</td></tr>`,
        )
        .join('')
    : '<tr><td colspan="4">No jobs waiting, running or failed.</td></tr>';
  const rl = stats.rateLimit;
  const use = (pair: [number, number]) => `${pair[0]} / ${pair[1]}`;
  const rateLimit = rl
    ? `<table><tr><th></th><th>15 minutes</th><th>today (UTC)</th></tr>
<tr><th scope="row">all requests</th><td class="num">${use(rl.overall15)}</td><td class="num">${use(rl.overallDay)}</td></tr>
<tr><th scope="row">reads</th><td class="num">${use(rl.read15)}</td><td class="num">${use(rl.readDay)}</td></tr></table>`
    : '<p>No Strava API calls yet.</p>';
  const errors = stats.errors.length
    ? `<ul class="errors">${stats.errors
        .map(
          (x) =>
            `<li><time>${e(x.at.toISOString().slice(0, 19).replace('T', ' '))}</time> <code>${e(x.where)}</code> ${e(x.message)}</li>`,
        )
        .join('')}</ul>`
    : '<p>No recent errors.</p>';
  return `<table class="features"><thead><tr><th>Feature</th><th></th><th>Setting</th><th>Live check</th></tr></thead><tbody>${featureRows}</tbody></table>
<div class="grid">
<section><h3>Athletes</h3><p class="big" data-stat="athletes">${stats.athletes.real}</p><p>${stats.athletes.connectedToStrava} connected to Strava${
    stats.athletes.demo ? '; the demo athlete is loaded (not counted)' : ''
  }</p></section>
<section><h3>Queues</h3><table><tr><th>queue</th><th>waiting</th><th>running</th><th>failed</th></tr>${queueRows}</table></section>
<section><h3>Strava rate limit</h3>${rateLimit}</section>
<section><h3>Last errors</h3>${errors}</section>
</div>
<p class="hint">Checked at ${e(now.toISOString().slice(11, 19))} UTC; refreshes every 15 seconds.</p>`;
}

export function consolePage(options: {
  ctx: BotContext;
  csrf: string;
  health: string;
  commands: SlashCommand<BotContext>[];
  demo: { loaded: boolean; activities: number };
  viewing: { id: string; name: string; demo: boolean } | null;
  realAthletes: { id: string; name: string | null }[];
  notice?: string;
}): string {
  const { csrf, viewing } = options;
  const hidden = `<input type="hidden" name="_csrf" value="${e(csrf)}">`;
  const demoSection = options.demo.loaded
    ? `<p>The demo athlete is loaded: ${options.demo.activities} activities, a plan and a race goal. It is marked as demo everywhere and never counted or messaged.</p>
<form method="post" action="/console/demo/remove" data-busy="Removing…">${hidden}<button type="submit" class="danger" id="demo-remove">Remove the demo athlete</button></form>`
    : `<p>Load a demo athlete with a season of training (rides with power, runs, a pool swim, a multisport race, planned workouts and a race goal) to try every command below.</p>
<form method="post" action="/console/demo" data-busy="Loading a season… (about a minute)">${hidden}<button type="submit" class="primary" id="demo-load">Load the demo athlete</button></form>`;
  const athleteChoice = `<form method="post" action="/console/athlete" class="inline">${hidden}
<label>Talk as <select name="athleteId">
<option value="">the demo athlete</option>
${options.realAthletes.map((a) => `<option value="${e(a.id)}"${viewing && !viewing.demo && viewing.id === a.id ? ' selected' : ''}>${e(a.name ?? 'athlete')} (#${e(a.id)}) — real athlete, logged</option>`).join('')}
</select></label> <button type="submit">Open</button></form>`;
  const chat = viewing
    ? `<p class="viewing ${viewing.demo ? 'demo' : 'real'}">Talking as <strong>${e(viewing.name)}</strong>${
        viewing.demo ? ' (demo)' : ' — a real athlete: opening was logged'
      }</p>
<div id="transcript" aria-live="polite"></div>
<div class="composer">
<form id="command-form" autocomplete="off">
<select id="command" name="command" aria-label="Command">${options.commands
        .map((c) => `<option value="${e(c.data.name)}">/${e(c.data.name)}</option>`)
        .join('')}</select>
${options.commands.map(commandFields).join('')}
<button type="submit" class="primary">Send</button>
</form>
<form id="dm-form" autocomplete="off"><input id="dm" name="text" placeholder="Message the bot (a DM: the coach answers)" maxlength="2000" required> <button type="submit">Send</button></form>
</div>`
    : '<p>No athlete to talk to: load the demo athlete first (or open a real one above).</p>';
  return layout(
    'Console',
    `<header class="top"><h1>Threshold console</h1><form method="post" action="/console/logout">${hidden}<button type="submit">Log out</button></form></header>
${options.notice ? `<p class="notice" role="status">${e(options.notice)}</p>` : ''}
<main>
<section id="setup"><h2>Setup and health</h2><div id="health">${options.health}</div></section>
<section id="demo"><h2>Demo athlete</h2>${demoSection}</section>
<section id="chat"><h2>Talk to it</h2>${athleteChoice}${chat}</section>
</main>`,
    csrf,
  );
}

/** One command's options as Discord's picker offers them: subcommands, choices, autocomplete, types. */
function commandFields(command: SlashCommand<BotContext>): string {
  const name = command.data.name;
  const options = command.data.options ?? [];
  const subs = options.filter((o) => o.type === 1 || o.type === 2);
  let inner: string;
  if (subs.length > 0) {
    const flat = subs.flatMap((o) =>
      o.type === 2 && 'options' in o
        ? (o.options ?? []).map((s) => ({ group: o.name, sub: s }))
        : [{ group: null as string | null, sub: o }],
    );
    inner = `<select name="subcommand" class="subcommand" aria-label="Subcommand">${flat
      .map(
        ({ group, sub }) =>
          `<option value="${e(sub.name)}"${group ? ` data-group="${e(group)}"` : ''} title="${e(sub.description)}">${e(group ? `${group} ${sub.name}` : sub.name)}</option>`,
      )
      .join('')}</select>${flat
      .map(
        ({ sub }) =>
          `<fieldset class="sub" data-sub="${e(sub.name)}"><p class="hint">${e(sub.description)}</p>${(
            ('options' in sub ? sub.options : []) ?? []
          )
            .map((o) => optionField(name, o as APIApplicationCommandOption))
            .join('')}</fieldset>`,
      )
      .join('')}`;
  } else {
    inner = options.map((o) => optionField(name, o)).join('');
  }
  return `<fieldset class="command" data-command="${e(name)}" hidden><p class="hint">${e(command.data.description)}</p>${inner}</fieldset>`;
}

function optionField(command: string, option: APIApplicationCommandOption): string {
  const required = 'required' in option && option.required ? ' required' : '';
  const label = `<span>${e(option.name)}${required ? '*' : ''}</span>`;
  const title = ` title="${e(option.description)}"`;
  const choices = 'choices' in option && option.choices ? option.choices : null;
  if (choices && choices.length > 0) {
    return `<label${title}>${label}<select name="${e(option.name)}"${required}>${required ? '' : '<option value=""></option>'}${choices
      .map((c) => `<option value="${e(String(c.value))}">${e(c.name)}</option>`)
      .join('')}</select></label>`;
  }
  switch (option.type) {
    case 3: {
      const auto = 'autocomplete' in option && option.autocomplete;
      const max = 'max_length' in option && option.max_length ? ` maxlength="${option.max_length}"` : '';
      const list = `list-${command}-${option.name}`;
      return `<label${title}>${label}<input type="text" name="${e(option.name)}"${max}${required}${
        auto ? ` data-autocomplete="${e(option.name)}" list="${e(list)}"` : ''
      } placeholder="${e(option.description)}">${auto ? `<datalist id="${e(list)}"></datalist>` : ''}</label>`;
    }
    case 4:
    case 10: {
      const min = 'min_value' in option && option.min_value !== undefined ? ` min="${option.min_value}"` : '';
      const max = 'max_value' in option && option.max_value !== undefined ? ` max="${option.max_value}"` : '';
      const step = option.type === 4 ? ' step="1"' : ' step="any"';
      return `<label${title}>${label}<input type="number" name="${e(option.name)}"${min}${max}${step}${required}></label>`;
    }
    case 5:
      return `<label${title}>${label}<select name="${e(option.name)}"${required}>${required ? '' : '<option value=""></option>'}<option value="true">True</option><option value="false">False</option></select></label>`;
    case 11:
      // Sent to the server first (size-capped as on Discord), then named in the command by its id.
      return `<label${title}>${label}<input type="file" name="${e(option.name)}" data-attachment data-max-bytes="${maxActivityFileBytes}"${required}></label>`;
    default:
      return `<label${title}>${label}<input type="text" name="${e(option.name)}"${required}></label>`;
  }
}
