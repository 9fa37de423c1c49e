// The console's only script (served as a file: the Content-Security-Policy allows no inline script).
// It shows the chosen command's options, asks for autocomplete, sends commands, DMs and button presses,
// and refreshes the health section. Every reply arrives as HTML the server escaped.
const csrf = document.querySelector('meta[name="csrf-token"]').content;

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 401) {
    location.reload();
    throw new Error('logged out');
  }
  return response;
}

// --- health, refreshed by itself --------------------------------------------------------------------
const health = document.getElementById('health');
if (health) {
  setInterval(async () => {
    try {
      const response = await fetch('/console/health', { credentials: 'same-origin' });
      if (response.ok) health.innerHTML = await response.text();
    } catch {
      // The next tick tries again.
    }
  }, 15000);
}

// Long form posts (loading the demo) say they are working.
for (const form of document.querySelectorAll('form[data-busy]')) {
  form.addEventListener('submit', () => {
    const button = form.querySelector('button');
    button.disabled = true;
    button.textContent = form.dataset.busy;
  });
}

// --- the chat panel ---------------------------------------------------------------------------------
const transcript = document.getElementById('transcript');
const commandForm = document.getElementById('command-form');
const commandSelect = document.getElementById('command');

function activeFieldset() {
  return commandForm.querySelector(`fieldset.command[data-command="${commandSelect.value}"]`);
}

// Only the chosen command (and subcommand) has enabled fields, so hidden ones are neither sent nor required.
function showCommand() {
  for (const fieldset of commandForm.querySelectorAll('fieldset.command')) {
    const active = fieldset.dataset.command === commandSelect.value;
    fieldset.hidden = !active;
    fieldset.disabled = !active;
    const sub = fieldset.querySelector('select.subcommand');
    for (const subset of fieldset.querySelectorAll('fieldset.sub')) {
      const on = active && sub && subset.dataset.sub === sub.value;
      subset.hidden = !on;
      subset.disabled = !on;
    }
  }
}

function formValues(fieldset) {
  const values = {};
  for (const field of fieldset.querySelectorAll('input[name], select[name]')) {
    if (field.disabled || field.closest('fieldset:disabled') || field.type === 'file') continue;
    values[field.name] = field.value;
  }
  const sub = fieldset.querySelector('select.subcommand');
  if (sub) {
    const group = sub.selectedOptions[0]?.dataset.group;
    if (group) values.group = group;
  }
  return values;
}

// Files picked for attachment options go to the server first; the command then names each by its id.
async function uploadAttachments(fieldset, values, shown) {
  for (const input of fieldset.querySelectorAll('input[type=file][data-attachment]')) {
    if (input.disabled || input.closest('fieldset:disabled')) continue;
    const file = input.files[0];
    if (!file) continue;
    const limit = Number(input.dataset.maxBytes);
    if (file.size > limit) {
      throw new Error(
        `${file.name} is larger than ${Math.round(limit / 1024 / 1024)} MB, the limit per file.`,
      );
    }
    const response = await fetch('/console/chat/attachment', {
      method: 'POST',
      headers: {
        'content-type': file.type || 'application/octet-stream',
        'x-csrf-token': csrf,
        'x-file-name': encodeURIComponent(file.name),
      },
      body: file,
      credentials: 'same-origin',
    });
    if (response.status === 401) {
      location.reload();
      throw new Error('logged out');
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.message || `The file was refused (HTTP ${response.status}).`);
    values[input.name] = answer.id;
    shown[input.name] = file.name;
  }
}

function describe(name, values) {
  const parts = [`/${name}`];
  if (values.group) parts.push(values.group);
  if (values.subcommand) parts.push(values.subcommand);
  for (const [key, value] of Object.entries(values)) {
    if (key === 'group' || key === 'subcommand' || value === '') continue;
    parts.push(`${key}:${value}`);
  }
  return parts.join(' ');
}

function addUserLine(text) {
  const line = document.createElement('article');
  line.className = 'message user';
  line.textContent = text;
  transcript.append(line);
  return line;
}

function addPending() {
  const pending = document.createElement('article');
  pending.className = 'message bot pending';
  pending.textContent = 'Threshold is thinking…';
  transcript.append(pending);
  pending.scrollIntoView({ block: 'end' });
  return pending;
}

async function showReply(pending, response) {
  const html = await response.text();
  const holder = document.createElement('div');
  holder.innerHTML = html;
  pending.replaceWith(...holder.childNodes);
  transcript.lastElementChild?.scrollIntoView({ block: 'end' });
}

if (commandForm) {
  commandSelect.addEventListener('change', showCommand);
  for (const sub of commandForm.querySelectorAll('select.subcommand'))
    sub.addEventListener('change', showCommand);
  showCommand();

  commandForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = commandSelect.value;
    const fieldset = activeFieldset();
    const values = formValues(fieldset);
    const shown = { ...values };
    const line = addUserLine(describe(name, shown));
    const pending = addPending();
    try {
      await uploadAttachments(fieldset, values, shown);
      line.textContent = describe(name, shown);
    } catch (error) {
      pending.textContent = error.message;
      return;
    }
    try {
      await showReply(pending, await post('/console/chat/command', { command: name, options: values }));
    } catch {
      pending.textContent = 'The console could not reach the server.';
    }
  });

  // Autocomplete as Discord's picker: choices for what is typed so far (shown by name, sent by value).
  let timer = null;
  for (const input of commandForm.querySelectorAll('input[data-autocomplete]')) {
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const fieldset = activeFieldset();
        const response = await post('/console/chat/autocomplete', {
          command: commandSelect.value,
          focused: { name: input.name, value: input.value },
          options: formValues(fieldset),
        });
        if (!response.ok) return;
        const choices = await response.json();
        const list = document.getElementById(input.getAttribute('list'));
        list.replaceChildren(
          ...choices.map((choice) => {
            const option = document.createElement('option');
            option.value = choice.value;
            option.textContent = choice.name;
            option.label = choice.name;
            return option;
          }),
        );
      }, 200);
    };
    input.addEventListener('input', refresh);
    input.addEventListener('focus', refresh);
  }

  document.getElementById('dm-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = document.getElementById('dm');
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    addUserLine(text);
    const pending = addPending();
    try {
      await showReply(pending, await post('/console/chat/dm', { text }));
    } catch {
      pending.textContent = 'The console could not reach the server.';
    }
  });

  // Action buttons answer by replacing the message they sit on, as on Discord.
  transcript.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-custom-id]');
    if (!button) return;
    const message = button.closest('article.message');
    for (const b of message.querySelectorAll('button')) b.disabled = true;
    try {
      await showReply(message, await post('/console/chat/button', { customId: button.dataset.customId }));
    } catch {
      for (const b of message.querySelectorAll('button')) b.disabled = false;
    }
  });
}
