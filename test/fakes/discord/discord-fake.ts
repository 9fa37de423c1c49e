import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIInteraction, APIMessage, APIUser } from 'discord.js';
import { type WebSocket, WebSocketServer } from 'ws';
import { autocompleteProblems, commandProblems, messageProblems } from './limits.ts';
import {
  apiDmChannel,
  apiGuildTextChannel,
  apiMessage,
  apiUser,
  autocompleteInteraction,
  buttonInteraction,
  chatInputInteraction,
  dmMessageCreate,
  type InteractionPlace,
  type OptionInput,
  snowflake,
} from './payloads.ts';
import { type ReceivedFile, readRequestBody } from './request-body.ts';

/**
 * A fake Discord (REST API v10 and gateway) on loopback that the real discord.js client logs into:
 * `new Client({ intents, rest: { api: fake.apiUrl } })`. It dispatches interactions and DMs, answers the
 * REST calls a bot makes, enforces the rules a bot can trip over (one callback per interaction, message
 * limits, closed DMs → 50007) and records everything for assertions. Unknown routes are logged and 404.
 */

export interface RecordedAttachment {
  id: string;
  filename: string;
  contentType: string;
  description: string | null;
  bytes: Buffer;
}

export interface MessageRecord {
  id: string;
  channelId: string;
  kind: 'channel' | 'interaction-original' | 'follow-up';
  /** The DM recipient when sent to a DM channel. */
  userId: string | null;
  interactionId: string | null;
  content: string;
  embeds: Record<string, unknown>[];
  components: Record<string, unknown>[];
  attachments: RecordedAttachment[];
  flags: number;
  /** A deferred reply not yet edited ("Bot is thinking…"). */
  loading: boolean;
  deleted: boolean;
  replyTo: string | null;
  createdAt: string;
  editedAt: string | null;
}

export interface CallbackRecord {
  type: number;
  data: Record<string, unknown> | null;
  /** data.flags (64 = ephemeral). */
  flags: number;
  files: ReceivedFile[];
  withResponse: boolean;
}

export interface InteractionRecord {
  id: string;
  token: string;
  /** 2 command, 3 component, 4 autocomplete, 5 modal submit. */
  type: number;
  userId: string;
  payload: APIInteraction;
  callbacks: CallbackRecord[];
  /** The original response (or, for a component, the message it is attached to). */
  original: MessageRecord | null;
  /** A copy of the original after each edit. */
  edits: MessageRecord[];
  followUps: MessageRecord[];
  expired: boolean;
}

export interface RegisteredCommands {
  /** The last PUT of global commands, as returned (with ids). */
  global: Record<string, unknown>[] | null;
  guilds: Map<string, Record<string, unknown>[]>;
}

export type FakeEvent =
  | { kind: 'identify'; payload: Record<string, unknown> }
  | { kind: 'heartbeat' }
  | {
      kind: 'interaction-callback';
      interaction: InteractionRecord;
      callback: CallbackRecord;
      /** The original message right after this callback (null for autocomplete, modal, deferred update). */
      message: MessageRecord | null;
    }
  | { kind: 'original-edited'; interaction: InteractionRecord; message: MessageRecord }
  | { kind: 'follow-up'; interaction: InteractionRecord; message: MessageRecord }
  | { kind: 'message'; message: MessageRecord }
  | { kind: 'message-edited'; message: MessageRecord }
  | { kind: 'dm-refused'; userId: string; channelId: string }
  | { kind: 'typing'; channelId: string; userId: string | null }
  | { kind: 'commands'; guildId: string | null; commands: Record<string, unknown>[] }
  | { kind: 'unknown-route'; method: string; path: string };

export interface DiscordFakeOptions {
  appId?: string;
  botUserId?: string;
  botUsername?: string;
  /** When set, REST auth and IDENTIFY must carry this token. Any token otherwise. */
  token?: string;
  /** Heartbeat interval announced in HELLO (Discord: 41 250 ms). */
  heartbeatIntervalMs?: number;
  /** Silence the unknown-route warnings (they are still recorded). */
  quiet?: boolean;
  /** Shards GET /gateway/bot recommends (default 1); guild events go to shard (guild_id >> 22) % shards. */
  shards?: number;
  /** session_start_limit.max_concurrency: shards that may IDENTIFY at once (default 1, every 5 s). */
  maxConcurrency?: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
}

interface Session {
  socket: WebSocket;
  sessionId: string;
  sequence: number;
  identified: boolean;
  /** [shard id, shard count] from IDENTIFY ([0, 1] without one). */
  shard: [number, number];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
  }
}

const interactionTypes = { ping: 1, command: 2, component: 3, autocomplete: 4, modalSubmit: 5 } as const;
const ephemeral = 64;
const loadingFlag = 128;

export type DiscordFake = Awaited<ReturnType<typeof startDiscordFake>>;

export async function startDiscordFake(options: DiscordFakeOptions = {}) {
  const appId = options.appId ?? '1300000000000000001';
  const botUser = apiUser({
    id: options.botUserId ?? appId,
    username: options.botUsername ?? 'Threshold',
    bot: true,
  });
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
  const shardCount = options.shards ?? 1;

  const users = new Map<string, APIUser>([[botUser.id, botUser]]);
  const dmChannelByUser = new Map<string, string>();
  const userByDmChannel = new Map<string, string>();
  const guildChannels = new Map<string, string>();
  const closedDms = new Set<string>();
  const interactions = new Map<string, InteractionRecord>();
  const messages = new Map<string, MessageRecord>();
  const commands: RegisteredCommands = { global: null, guilds: new Map() };
  const commandIds = new Map<string, string>();
  const events: FakeEvent[] = [];
  const listeners = new Set<(event: FakeEvent) => void>();
  const requests: RequestLogEntry[] = [];
  const sessions = new Set<Session>();

  const emit = (event: FakeEvent) => {
    events.push(event);
    for (const listener of [...listeners]) listener(event);
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  const wss = new WebSocketServer({ server });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}`;

  // ---- users and channels -------------------------------------------------------------------------

  const ensureUser = (id: string, username?: string): APIUser => {
    let user = users.get(id);
    if (!user) {
      user = apiUser({ id, ...(username ? { username } : {}) });
      users.set(id, user);
    }
    return user;
  };

  const dmChannelFor = (userId: string): string => {
    let channelId = dmChannelByUser.get(userId);
    if (!channelId) {
      channelId = snowflake();
      dmChannelByUser.set(userId, channelId);
      userByDmChannel.set(channelId, userId);
    }
    return channelId;
  };

  const placeFor = (userId: string, guildId: string | undefined, channelId: string | undefined) =>
    (guildId
      ? { guildId, ...(channelId ? { channelId } : {}) }
      : { dmChannelId: dmChannelFor(userId) }) as InteractionPlace;

  // ---- messages -----------------------------------------------------------------------------------

  const attachmentsFrom = (
    payload: Record<string, unknown>,
    files: ReceivedFile[],
    existing: RecordedAttachment[],
  ): RecordedAttachment[] => {
    const described = new Map<string, Record<string, unknown>>();
    const listed = Array.isArray(payload['attachments'])
      ? (payload['attachments'] as Record<string, unknown>[])
      : null;
    for (const entry of listed ?? []) described.set(String(entry['id']), entry);
    const fresh = files.map((file) => {
      const meta = described.get(String(file.index));
      return {
        id: snowflake(),
        filename: typeof meta?.['filename'] === 'string' ? meta['filename'] : file.name,
        contentType: file.contentType,
        description: typeof meta?.['description'] === 'string' ? meta['description'] : null,
        bytes: file.bytes,
      };
    });
    // An `attachments` list says which existing files stay; without one they all stay.
    const kept = listed ? existing.filter((a) => described.has(a.id)) : existing;
    return [...kept, ...fresh];
  };

  const validateMessage = (
    message: Pick<MessageRecord, 'content' | 'embeds' | 'components' | 'attachments'>,
  ) => {
    const problems = messageProblems(
      {
        content: message.content,
        embeds: message.embeds,
        components: message.components,
        attachments: message.attachments.map((a) => ({ description: a.description })),
      },
      message.attachments.map((a) => a.filename),
    );
    if (problems.length > 0) throw new HttpError(400, 50035, 'Invalid Form Body', problems);
    const empty =
      !message.content &&
      message.embeds.length === 0 &&
      message.attachments.length === 0 &&
      message.components.length === 0;
    if (empty) throw new HttpError(400, 50006, 'Cannot send an empty message');
  };

  const createMessage = (
    init: Pick<MessageRecord, 'channelId' | 'kind' | 'interactionId'> & { loading?: boolean },
    payload: Record<string, unknown>,
    files: ReceivedFile[],
  ): MessageRecord => {
    const message: MessageRecord = {
      id: snowflake(),
      channelId: init.channelId,
      kind: init.kind,
      userId: userByDmChannel.get(init.channelId) ?? null,
      interactionId: init.interactionId,
      content: typeof payload['content'] === 'string' ? payload['content'] : '',
      embeds: Array.isArray(payload['embeds']) ? (payload['embeds'] as Record<string, unknown>[]) : [],
      components: Array.isArray(payload['components'])
        ? (payload['components'] as Record<string, unknown>[])
        : [],
      attachments: attachmentsFrom(payload, files, []),
      flags: typeof payload['flags'] === 'number' ? payload['flags'] : 0,
      loading: init.loading ?? false,
      deleted: false,
      replyTo:
        typeof (payload['message_reference'] as Record<string, unknown> | undefined)?.['message_id'] ===
        'string'
          ? ((payload['message_reference'] as Record<string, unknown>)['message_id'] as string)
          : null,
      createdAt: new Date().toISOString(),
      editedAt: null,
    };
    if (!message.loading) validateMessage(message);
    messages.set(message.id, message);
    return message;
  };

  const editMessage = (message: MessageRecord, payload: Record<string, unknown>, files: ReceivedFile[]) => {
    const next: MessageRecord = {
      ...message,
      content: typeof payload['content'] === 'string' ? payload['content'] : message.content,
      embeds: Array.isArray(payload['embeds'])
        ? (payload['embeds'] as Record<string, unknown>[])
        : message.embeds,
      components: Array.isArray(payload['components'])
        ? (payload['components'] as Record<string, unknown>[])
        : message.components,
      attachments:
        'attachments' in payload || files.length > 0
          ? attachmentsFrom(payload, files, message.attachments)
          : message.attachments,
      flags: (message.flags & ~loadingFlag) | (typeof payload['flags'] === 'number' ? payload['flags'] : 0),
      loading: false,
      editedAt: new Date().toISOString(),
    };
    validateMessage(next);
    Object.assign(message, next);
    return message;
  };

  const snapshot = (message: MessageRecord): MessageRecord => ({
    ...message,
    embeds: [...message.embeds],
    components: [...message.components],
    attachments: [...message.attachments],
  });

  const toApiMessage = (message: MessageRecord): APIMessage => {
    return apiMessage({
      id: message.id,
      channelId: message.channelId,
      author: botUser,
      content: message.content,
      embeds: message.embeds,
      components: message.components,
      flags: message.flags,
      timestamp: message.createdAt,
      editedTimestamp: message.editedAt,
      attachments: message.attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        size: a.bytes.length,
        url: `${origin}/attachments/${message.channelId}/${a.id}/${encodeURIComponent(a.filename)}`,
        proxy_url: `${origin}/attachments/${message.channelId}/${a.id}/${encodeURIComponent(a.filename)}`,
        content_type: a.contentType,
        ...(a.description ? { description: a.description } : {}),
        ...pngSize(a.bytes),
      })),
      ...(message.kind !== 'channel' ? { webhookId: appId, applicationId: appId } : {}),
    });
  };

  // ---- REST -----------------------------------------------------------------------------------------

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const requireBotAuth = (req: IncomingMessage) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bot (.+)$/.exec(header);
    if (!match || (options.token !== undefined && match[1] !== options.token)) {
      throw new HttpError(401, 0, '401: Unauthorized');
    }
  };

  const interactionFor = (id: string, token: string): InteractionRecord => {
    const record = interactions.get(id);
    if (!record || record.token !== token || record.expired)
      throw new HttpError(404, 10062, 'Unknown interaction');
    return record;
  };

  const interactionForWebhook = (app: string, token: string): InteractionRecord => {
    if (app !== appId) throw new HttpError(404, 10015, 'Unknown Webhook');
    const record = [...interactions.values()].find((r) => r.token === token);
    if (!record) throw new HttpError(404, 10015, 'Unknown Webhook');
    if (record.expired) throw new HttpError(401, 50027, 'Invalid Webhook Token');
    if (record.callbacks.length === 0) throw new HttpError(404, 10015, 'Unknown Webhook');
    return record;
  };

  const onCallback = (
    record: InteractionRecord,
    body: Record<string, unknown>,
    files: ReceivedFile[],
    withResponse: boolean,
  ) => {
    if (record.callbacks.length > 0)
      throw new HttpError(400, 40060, 'Interaction has already been acknowledged.');
    const type = Number(body['type']);
    const data = (body['data'] as Record<string, unknown> | undefined) ?? null;
    const allowed: Record<number, number[]> = {
      [interactionTypes.command]: [4, 5, 9],
      [interactionTypes.component]: [4, 5, 6, 7, 9],
      [interactionTypes.autocomplete]: [8],
      [interactionTypes.modalSubmit]: [4, 5, 6, 7],
    };
    if (!(allowed[record.type] ?? []).includes(type)) {
      throw new HttpError(400, 50035, 'Invalid Form Body', [`type: callback ${type} not valid here`]);
    }
    const channelId = record.payload.channel?.id ?? dmChannelFor(record.userId);
    if (type === 4) {
      record.original = createMessage(
        { channelId, kind: 'interaction-original', interactionId: record.id },
        data ?? {},
        files,
      );
    } else if (type === 5) {
      record.original = createMessage(
        { channelId, kind: 'interaction-original', interactionId: record.id, loading: true },
        { flags: ((data?.['flags'] as number | undefined) ?? 0) | loadingFlag },
        [],
      );
    } else if (type === 7 && record.original) {
      editMessage(record.original, data ?? {}, files);
      emit({ kind: 'message-edited', message: snapshot(record.original) });
    } else if (type === 8) {
      const problems = autocompleteProblems(
        (data?.['choices'] as Record<string, unknown>[] | undefined) ?? [],
      );
      if (problems.length > 0) throw new HttpError(400, 50035, 'Invalid Form Body', problems);
    }
    const callback: CallbackRecord = {
      type,
      data,
      flags: typeof data?.['flags'] === 'number' ? (data['flags'] as number) : 0,
      files,
      withResponse,
    };
    record.callbacks.push(callback);
    emit({
      kind: 'interaction-callback',
      interaction: record,
      callback,
      message: record.original && [4, 5, 7].includes(type) ? snapshot(record.original) : null,
    });
    if (!withResponse) return null;
    return {
      interaction: {
        id: record.id,
        type: record.type,
        response_message_id: record.original?.id ?? null,
        response_message_loading: type === 5,
        response_message_ephemeral: ((callback.flags | (record.original?.flags ?? 0)) & ephemeral) !== 0,
      },
      resource:
        type === 8 || type === 6
          ? { type }
          : { type, ...(record.original && type !== 9 ? { message: toApiMessage(record.original) } : {}) },
    };
  };

  const commandsFrom = (body: unknown, guildId: string | null) => {
    if (!Array.isArray(body)) throw new HttpError(400, 50035, 'Invalid Form Body', ['expected an array']);
    if (body.length > 100) throw new HttpError(400, 30032, 'Maximum number of application commands reached');
    return (body as Record<string, unknown>[]).map((command) => {
      const name = String(command['name'] ?? '');
      if ((command['type'] ?? 1) === 1) {
        const problems = commandProblems(command);
        if (problems.length > 0) throw new HttpError(400, 50035, 'Invalid Form Body', problems);
      }
      const type = typeof command['type'] === 'number' ? command['type'] : 1;
      if (!/^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$/u.test(name)) {
        throw new HttpError(400, 50035, 'Invalid Form Body', [`name: "${name}" is not a valid command name`]);
      }
      const description = String(command['description'] ?? '');
      if (type === 1 && (description.length < 1 || description.length > 100)) {
        throw new HttpError(400, 50035, 'Invalid Form Body', [`${name}.description: 1 to 100 characters`]);
      }
      const key = `${guildId ?? 'global'}:${type}:${name}`;
      let id = commandIds.get(key);
      if (!id) {
        id = snowflake();
        commandIds.set(key, id);
      }
      return {
        id,
        application_id: appId,
        version: snowflake(),
        type,
        name,
        name_localizations: null,
        description,
        description_localizations: null,
        default_member_permissions: null,
        nsfw: false,
        ...command,
        ...(guildId ? { guild_id: guildId } : {}),
      };
    });
  };

  const routes: {
    method: string;
    pattern: RegExp;
    bot: boolean;
    run: (
      match: RegExpExecArray,
      body: { json: unknown; files: ReceivedFile[] },
      url: URL,
      res: ServerResponse,
    ) => unknown;
  }[] = [
    {
      method: 'GET',
      pattern: /^\/gateway\/bot$/,
      bot: true,
      run: () => ({
        url: gatewayUrl,
        shards: shardCount,
        session_start_limit: {
          total: 1000,
          remaining: 999,
          reset_after: 0,
          max_concurrency: options.maxConcurrency ?? 1,
        },
      }),
    },
    { method: 'GET', pattern: /^\/gateway$/, bot: false, run: () => ({ url: gatewayUrl }) },
    { method: 'GET', pattern: /^\/users\/@me$/, bot: true, run: () => botUser },
    {
      method: 'GET',
      pattern: /^\/(?:oauth2\/)?applications\/@me$/,
      bot: true,
      run: () => ({
        id: appId,
        name: botUser.username,
        icon: null,
        description: '',
        bot_public: true,
        bot_require_code_grant: false,
        verify_key: '0'.repeat(64),
        flags: 0,
        bot: botUser,
        owner: apiUser({ id: '1300000000000000999', username: 'owner' }),
        team: null,
        summary: '',
        approximate_guild_count: 0,
      }),
    },
    {
      method: 'GET',
      pattern: /^\/users\/(\d+)$/,
      bot: true,
      run: (m) => {
        const user = users.get(m[1]!);
        if (!user) throw new HttpError(404, 10013, 'Unknown User');
        return user;
      },
    },
    {
      method: 'POST',
      pattern: /^\/users\/@me\/channels$/,
      bot: true,
      run: (_m, body) => {
        const recipient = (body.json as Record<string, unknown> | null)?.['recipient_id'];
        if (typeof recipient !== 'string' || !/^\d{15,21}$/.test(recipient)) {
          throw new HttpError(400, 50035, 'Invalid Form Body', ['recipient_id: not a snowflake']);
        }
        return apiDmChannel(dmChannelFor(recipient), ensureUser(recipient));
      },
    },
    {
      method: 'GET',
      pattern: /^\/channels\/(\d+)$/,
      bot: true,
      run: (m) => {
        const userId = userByDmChannel.get(m[1]!);
        if (userId) return apiDmChannel(m[1]!, ensureUser(userId));
        const guildId = guildChannels.get(m[1]!);
        if (guildId) return apiGuildTextChannel(m[1]!, guildId);
        throw new HttpError(404, 10003, 'Unknown Channel');
      },
    },
    {
      method: 'POST',
      pattern: /^\/channels\/(\d+)\/messages$/,
      bot: true,
      run: (m, body) => {
        const channelId = m[1]!;
        const userId = userByDmChannel.get(channelId);
        if (!userId && !guildChannels.has(channelId)) throw new HttpError(404, 10003, 'Unknown Channel');
        if (userId && closedDms.has(userId)) {
          emit({ kind: 'dm-refused', userId, channelId });
          throw new HttpError(403, 50007, 'Cannot send messages to this user');
        }
        const message = createMessage(
          { channelId, kind: 'channel', interactionId: null },
          (body.json as Record<string, unknown>) ?? {},
          body.files,
        );
        emit({ kind: 'message', message: snapshot(message) });
        return toApiMessage(message);
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/,
      bot: true,
      run: (m, body) => {
        const message = messages.get(m[2]!);
        if (!message || message.channelId !== m[1] || message.deleted) {
          throw new HttpError(404, 10008, 'Unknown Message');
        }
        editMessage(message, (body.json as Record<string, unknown>) ?? {}, body.files);
        emit({ kind: 'message-edited', message: snapshot(message) });
        return toApiMessage(message);
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/,
      bot: true,
      run: (m, _body, _url, res) => {
        const message = messages.get(m[2]!);
        if (!message || message.channelId !== m[1] || message.deleted) {
          throw new HttpError(404, 10008, 'Unknown Message');
        }
        message.deleted = true;
        res.writeHead(204).end();
      },
    },
    {
      method: 'POST',
      pattern: /^\/channels\/(\d+)\/typing$/,
      bot: true,
      run: (m, _body, _url, res) => {
        const channelId = m[1]!;
        const userId = userByDmChannel.get(channelId) ?? null;
        if (!userId && !guildChannels.has(channelId)) throw new HttpError(404, 10003, 'Unknown Channel');
        emit({ kind: 'typing', channelId, userId });
        res.writeHead(204).end();
      },
    },
    {
      method: 'POST',
      pattern: /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
      bot: false,
      run: (m, body, url, res) => {
        const record = interactionFor(m[1]!, m[2]!);
        const result = onCallback(
          record,
          (body.json as Record<string, unknown>) ?? {},
          body.files,
          url.searchParams.get('with_response') === 'true',
        );
        if (result === null) res.writeHead(204).end();
        else return result;
      },
    },
    {
      method: 'POST',
      pattern: /^\/webhooks\/(\d+)\/([^/]+)$/,
      bot: false,
      run: (m, body) => {
        const record = interactionForWebhook(m[1]!, m[2]!);
        const message = createMessage(
          {
            channelId: record.payload.channel?.id ?? dmChannelFor(record.userId),
            kind: 'follow-up',
            interactionId: record.id,
          },
          (body.json as Record<string, unknown>) ?? {},
          body.files,
        );
        record.followUps.push(message);
        emit({ kind: 'follow-up', interaction: record, message: snapshot(message) });
        return toApiMessage(message);
      },
    },
    {
      method: 'GET',
      pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/,
      bot: false,
      run: (m) => toApiMessage(webhookMessage(interactionForWebhook(m[1]!, m[2]!), m[3]!)),
    },
    {
      method: 'PATCH',
      pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/,
      bot: false,
      run: (m, body) => {
        const record = interactionForWebhook(m[1]!, m[2]!);
        const message = webhookMessage(record, m[3]!);
        editMessage(message, (body.json as Record<string, unknown>) ?? {}, body.files);
        if (message === record.original) {
          record.edits.push(snapshot(message));
          emit({ kind: 'original-edited', interaction: record, message: snapshot(message) });
        } else {
          emit({ kind: 'message-edited', message: snapshot(message) });
        }
        return toApiMessage(message);
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/,
      bot: false,
      run: (m, _body, _url, res) => {
        webhookMessage(interactionForWebhook(m[1]!, m[2]!), m[3]!).deleted = true;
        res.writeHead(204).end();
      },
    },
    {
      method: 'PUT',
      pattern: /^\/applications\/(\d+)\/commands$/,
      bot: true,
      run: (m, body) => {
        if (m[1] !== appId) throw new HttpError(403, 50001, 'Missing Access');
        commands.global = commandsFrom(body.json, null);
        emit({ kind: 'commands', guildId: null, commands: commands.global });
        return commands.global;
      },
    },
    {
      method: 'GET',
      pattern: /^\/applications\/(\d+)\/commands$/,
      bot: true,
      run: (m) => {
        if (m[1] !== appId) throw new HttpError(403, 50001, 'Missing Access');
        return commands.global ?? [];
      },
    },
    {
      method: 'PUT',
      pattern: /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/,
      bot: true,
      run: (m, body) => {
        if (m[1] !== appId) throw new HttpError(403, 50001, 'Missing Access');
        const list = commandsFrom(body.json, m[2]!);
        commands.guilds.set(m[2]!, list);
        emit({ kind: 'commands', guildId: m[2]!, commands: list });
        return list;
      },
    },
    {
      method: 'GET',
      pattern: /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/,
      bot: true,
      run: (m) => {
        if (m[1] !== appId) throw new HttpError(403, 50001, 'Missing Access');
        return commands.guilds.get(m[2]!) ?? [];
      },
    },
  ];

  const webhookMessage = (record: InteractionRecord, which: string): MessageRecord => {
    const message =
      which === '@original' ? record.original : (record.followUps.find((f) => f.id === which) ?? null);
    if (!message || message.deleted) throw new HttpError(404, 10008, 'Unknown Message');
    return message;
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    // discord.js encodes path segments (`@original` arrives as `%40original`); Discord decodes them.
    let path = url.pathname.split('/').map(decodeURIComponent).join('/');
    try {
      const attachment = /^\/attachments\/(\d+)\/(\d+)\/[^/]+$/.exec(path);
      if (attachment && method === 'GET') {
        const file = [...messages.values()]
          .filter((msg) => msg.channelId === attachment[1])
          .flatMap((msg) => msg.attachments)
          .find((a) => a.id === attachment[2]);
        if (!file) throw new HttpError(404, 0, '404: Not Found');
        res.writeHead(200, { 'content-type': file.contentType }).end(file.bytes);
        requests.push({ method, path, status: 200 });
        return;
      }
      const versioned = /^\/api\/v(\d+)(\/.*)$/.exec(path);
      if (!versioned) throw new HttpError(404, 0, '404: Not Found');
      path = versioned[2]!;
      const route = routes.find((r) => r.method === method && r.pattern.test(path));
      if (!route) {
        emit({ kind: 'unknown-route', method, path });
        if (!options.quiet)
          console.warn(`[discord-fake] unknown route ${method} ${url.pathname}${url.search}`);
        throw new HttpError(404, 0, '404: Not Found');
      }
      if (route.bot) requireBotAuth(req);
      const body = await readRequestBody(req);
      const result = route.run(route.pattern.exec(path)!, body, url, res);
      if (!res.headersSent) json(res, 200, result);
      requests.push({ method, path, status: res.statusCode });
    } catch (error) {
      if (error instanceof HttpError) {
        json(res, error.status, {
          message: error.message,
          code: error.code,
          ...(error.errors ? { errors: { _errors: error.errors } } : {}),
        });
        requests.push({ method, path, status: error.status });
        return;
      }
      console.error('[discord-fake] handler failed', error);
      if (!res.headersSent) json(res, 500, { message: '500: Internal Server Error', code: 0 });
      requests.push({ method, path, status: 500 });
    }
  }

  // ---- gateway --------------------------------------------------------------------------------------

  const send = (session: Session, payload: Record<string, unknown>) => {
    if (session.socket.readyState === session.socket.OPEN) session.socket.send(JSON.stringify(payload));
  };

  const dispatchTo = (session: Session, t: string, d: unknown) => {
    session.sequence += 1;
    send(session, { op: 0, t, s: session.sequence, d });
  };

  wss.on('connection', (socket) => {
    const session: Session = {
      socket,
      sessionId: crypto.randomUUID().replaceAll('-', ''),
      sequence: 0,
      identified: false,
      shard: [0, 1],
    };
    sessions.add(session);
    socket.on('close', () => sessions.delete(session));
    socket.on('error', () => sessions.delete(session));
    send(session, {
      op: 10,
      d: { heartbeat_interval: heartbeatIntervalMs, _trace: ['["discord-fake",{}]'] },
      s: null,
      t: null,
    });
    socket.on('message', (raw) => {
      let payload: { op?: number; d?: Record<string, unknown> };
      try {
        payload = JSON.parse(raw.toString()) as typeof payload;
      } catch {
        socket.close(4002, 'Error while decoding payload.');
        return;
      }
      switch (payload.op) {
        case 1:
          emit({ kind: 'heartbeat' });
          send(session, { op: 11, d: null, s: null, t: null });
          break;
        case 2: {
          const d = payload.d ?? {};
          if (options.token !== undefined && d['token'] !== options.token) {
            socket.close(4004, 'Authentication failed.');
            return;
          }
          if (session.identified) {
            socket.close(4005, 'Already authenticated.');
            return;
          }
          const shard = (d['shard'] as [number, number] | undefined) ?? [0, 1];
          if (shard[1] !== shardCount || shard[0] < 0 || shard[0] >= shard[1]) {
            socket.close(4010, 'Invalid shard.');
            return;
          }
          session.identified = true;
          session.shard = shard;
          emit({ kind: 'identify', payload: d });
          dispatchTo(session, 'READY', {
            v: 10,
            user: botUser,
            guilds: [],
            session_id: session.sessionId,
            resume_gateway_url: gatewayUrl,
            shard,
            application: { id: appId, flags: 0 },
            user_settings: {},
            private_channels: [],
            presences: [],
            relationships: [],
            guild_join_requests: [],
            geo_ordered_rtc_regions: [],
            auth: {},
            _trace: ['["discord-fake",{}]'],
          });
          break;
        }
        case 6: {
          // RESUME: this fake keeps no backlog, so nothing is replayed.
          session.identified = true;
          dispatchTo(session, 'RESUMED', { _trace: ['["discord-fake",{}]'] });
          break;
        }
        default:
          break;
      }
    });
  });

  /** Discord's routing: a guild's events go to shard (guild_id >> 22) % count, DMs to shard 0. */
  const shardOf = (d: unknown): number => {
    const guildId = (d as { guild_id?: unknown } | null)?.guild_id;
    return typeof guildId === 'string' ? Number((BigInt(guildId) >> 22n) % BigInt(shardCount)) : 0;
  };

  const dispatch = (t: string, d: unknown) => {
    const shard = shardOf(d);
    const ready = [...sessions].filter((s) => s.identified && s.shard[0] === shard);
    if (ready.length === 0)
      throw new Error(`discord fake: no identified gateway connection on shard ${shard} to send ${t} to`);
    for (const session of ready) dispatchTo(session, t, d);
  };

  // ---- waiting --------------------------------------------------------------------------------------

  /** Resolves with the first recorded event (past or future) matching `predicate`; rejects after `timeoutMs`. */
  function waitFor<E extends FakeEvent>(
    predicate: (event: FakeEvent) => event is E,
    timeoutMs?: number,
  ): Promise<E>;
  function waitFor(predicate: (event: FakeEvent) => boolean, timeoutMs?: number): Promise<FakeEvent>;
  function waitFor(predicate: (event: FakeEvent) => boolean, timeoutMs = 5000): Promise<FakeEvent> {
    const past = events.find(predicate);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const listener = (event: FakeEvent) => {
        if (!predicate(event)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(event);
      };
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`discord fake: nothing matched within ${timeoutMs} ms (events: ${summary()})`));
      }, timeoutMs);
      listeners.add(listener);
    });
  }

  const summary = () =>
    events
      .slice(-12)
      .map((e) => e.kind)
      .join(', ') || 'none';

  const idOf = (interaction: InteractionRecord | string) =>
    typeof interaction === 'string' ? interaction : interaction.id;

  const registerInteraction = (payload: APIInteraction): InteractionRecord => {
    if (payload.application_id !== appId) {
      throw new Error(
        `discord fake: interaction for application ${payload.application_id}, fake is ${appId}`,
      );
    }
    const user = payload.member?.user ?? payload.user;
    if (!user) throw new Error('discord fake: an interaction needs member.user (guild) or user (DM)');
    users.set(user.id, user);
    if (payload.guild_id && payload.channel?.id) guildChannels.set(payload.channel.id, payload.guild_id);
    if (!payload.guild_id && payload.channel?.id) {
      dmChannelByUser.set(user.id, payload.channel.id);
      userByDmChannel.set(payload.channel.id, user.id);
    }
    const record: InteractionRecord = {
      id: payload.id,
      token: payload.token,
      type: payload.type,
      userId: user.id,
      payload,
      callbacks: [],
      original: null,
      edits: [],
      followUps: [],
      expired: false,
    };
    if (payload.type === interactionTypes.component && 'message' in payload && payload.message) {
      // A component's "original" is the message it sits on.
      const known = messages.get(payload.message.id);
      record.original = known ?? {
        id: payload.message.id,
        channelId: payload.message.channel_id,
        kind: 'channel',
        userId: userByDmChannel.get(payload.message.channel_id) ?? null,
        interactionId: null,
        content: payload.message.content,
        embeds: payload.message.embeds as unknown as Record<string, unknown>[],
        components: (payload.message.components ?? []) as unknown as Record<string, unknown>[],
        attachments: [],
        flags: payload.message.flags ?? 0,
        loading: false,
        deleted: false,
        replyTo: null,
        createdAt: payload.message.timestamp,
        editedAt: payload.message.edited_timestamp,
      };
      messages.set(record.original.id, record.original);
    }
    interactions.set(record.id, record);
    return record;
  };

  return {
    /** REST base for `new Client({ rest: { api } })` / `new REST({ api })`. */
    apiUrl: `${origin}/api`,
    gatewayUrl,
    appId,
    botUser,
    /** Everything recorded, oldest first. */
    events,
    requests,
    interactions,
    commands,

    user: (id: string, username?: string) => ensureUser(id, username),
    dmChannelId: (userId: string) => dmChannelFor(userId),

    /** INTERACTION_CREATE payloads with this fake's application id; a DM unless `guildId` is given. */
    build: {
      slashCommand: (init: {
        userId: string;
        name: string;
        options?: OptionInput;
        subcommand?: string;
        guildId?: string;
        channelId?: string;
        commandId?: string;
      }) =>
        chatInputInteraction({
          appId,
          user: ensureUser(init.userId),
          place: placeFor(init.userId, init.guildId, init.channelId),
          name: init.name,
          ...(init.options ? { options: init.options } : {}),
          ...(init.subcommand ? { subcommand: init.subcommand } : {}),
          commandId: init.commandId ?? commandIdFor(init.name, init.guildId ?? null),
        }),
      autocomplete: (init: {
        userId: string;
        name: string;
        focused: { name: string; value: string; type?: 3 | 4 | 10 };
        options?: OptionInput;
        subcommand?: string;
        guildId?: string;
        channelId?: string;
      }) =>
        autocompleteInteraction({
          appId,
          user: ensureUser(init.userId),
          place: placeFor(init.userId, init.guildId, init.channelId),
          name: init.name,
          focused: init.focused,
          ...(init.options ? { options: init.options } : {}),
          ...(init.subcommand ? { subcommand: init.subcommand } : {}),
          commandId: commandIdFor(init.name, init.guildId ?? null),
        }),
      /** A click on a button of `message` (a recorded message, or an API message). */
      button: (init: {
        userId: string;
        customId: string;
        message: MessageRecord | APIMessage;
        guildId?: string;
      }) => {
        const message = 'kind' in init.message ? toApiMessage(init.message) : init.message;
        const place: InteractionPlace = init.guildId
          ? { guildId: init.guildId, channelId: message.channel_id }
          : { dmChannelId: dmChannelFor(init.userId) };
        return buttonInteraction({
          appId,
          user: ensureUser(init.userId),
          place,
          customId: init.customId,
          message,
        });
      },
    },

    /** Dispatches INTERACTION_CREATE to the client(s) on its shard and returns the live record of what follows. */
    sendInteraction: async (payload: APIInteraction): Promise<InteractionRecord> => {
      const record = registerInteraction(payload);
      dispatch('INTERACTION_CREATE', payload);
      return record;
    },

    /** The user writes to the bot in their DM: MESSAGE_CREATE without guild_id. */
    sendDirectMessage: async (init: { userId: string; content: string; username?: string }) => {
      const author = ensureUser(init.userId, init.username);
      const message = dmMessageCreate({
        channelId: dmChannelFor(init.userId),
        author,
        content: init.content,
      });
      dispatch('MESSAGE_CREATE', message);
      return message;
    },

    /** Any other gateway event, as Discord would send it. */
    dispatch,

    /** The 3 s (callback) or 15 min (webhook) window has passed for this interaction. */
    expire: (interaction: InteractionRecord | string) => {
      const record = interactions.get(idOf(interaction));
      if (record) record.expired = true;
    },
    closeDms: (userId: string) => {
      closedDms.add(userId);
    },
    openDms: (userId: string) => {
      closedDms.delete(userId);
    },

    /** Messages the bot sent to a user's DM channel, oldest first (current state). */
    dms: (userId: string) =>
      [...messages.values()].filter((m) => m.userId === userId && m.kind === 'channel' && !m.deleted),
    channelMessages: (channelId: string) => [...messages.values()].filter((m) => m.channelId === channelId),
    typing: () => events.filter((e): e is Extract<FakeEvent, { kind: 'typing' }> => e.kind === 'typing'),
    unknownRoutes: () =>
      events.filter((e): e is Extract<FakeEvent, { kind: 'unknown-route' }> => e.kind === 'unknown-route'),
    toApiMessage,

    waitFor,
    waitForIdentify: (timeoutMs?: number) =>
      waitFor((e): e is Extract<FakeEvent, { kind: 'identify' }> => e.kind === 'identify', timeoutMs),
    /** The interaction's first callback (reply, defer, update, autocomplete result, modal). */
    waitForCallback: async (interaction: InteractionRecord | string, timeoutMs?: number) =>
      (
        await waitFor(
          (e): e is Extract<FakeEvent, { kind: 'interaction-callback' }> =>
            e.kind === 'interaction-callback' && e.interaction.id === idOf(interaction),
          timeoutMs,
        )
      ).callback,
    /**
     * The first thing the user sees: a reply (callback 4), an update (7), or an edit of the deferred
     * original; with `predicate`, the first such state that matches (e.g. the final edit).
     */
    waitForReply: async (
      interaction: InteractionRecord | string,
      options: { timeoutMs?: number; predicate?: (message: MessageRecord) => boolean } = {},
    ): Promise<MessageRecord> => {
      const id = idOf(interaction);
      const messageOf = (e: FakeEvent): MessageRecord | null => {
        if (
          e.kind === 'interaction-callback' &&
          e.interaction.id === id &&
          [4, 7].includes(e.callback.type)
        ) {
          return e.message;
        }
        if (e.kind === 'original-edited' && e.interaction.id === id) return e.message;
        return null;
      };
      const event = await waitFor((e) => {
        const message = messageOf(e);
        return message !== null && (options.predicate?.(message) ?? true);
      }, options.timeoutMs);
      return messageOf(event)!;
    },
    waitForFollowUp: async (interaction: InteractionRecord | string, timeoutMs?: number) =>
      (
        await waitFor(
          (e): e is Extract<FakeEvent, { kind: 'follow-up' }> =>
            e.kind === 'follow-up' && e.interaction.id === idOf(interaction),
          timeoutMs,
        )
      ).message,
    /** The next (or an already sent) DM to `userId` matching `predicate`. */
    waitForDm: async (
      userId: string,
      predicate: (message: MessageRecord) => boolean = () => true,
      timeoutMs?: number,
    ) =>
      (
        await waitFor(
          (e): e is Extract<FakeEvent, { kind: 'message' }> =>
            e.kind === 'message' && e.message.userId === userId && predicate(e.message),
          timeoutMs,
        )
      ).message,

    close: async () => {
      for (const listener of listeners) listeners.delete(listener);
      for (const session of sessions) session.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };

  function commandIdFor(name: string, guildId: string | null): string {
    const key = `${guildId ?? 'global'}:1:${name}`;
    const registered = commandIds.get(key) ?? commandIds.get(`global:1:${name}`);
    if (registered) return registered;
    const id = snowflake();
    commandIds.set(key, id);
    return id;
  }
}

function pngSize(bytes: Buffer): { width?: number; height?: number } {
  const signature = '89504e470d0a1a0a';
  if (bytes.length < 24 || bytes.subarray(0, 8).toString('hex') !== signature) return {};
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
