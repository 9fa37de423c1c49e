import type { APIInteraction, APIMessage, APIUser } from 'discord.js';
import type { WebSocket } from 'ws';
import { messageProblems } from './limits.ts';
import { apiMessage, apiUser, type InteractionPlace, snowflake } from './payloads.ts';
import type { ReceivedFile } from './request-body.ts';

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

interface RegisteredCommands {
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

interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
}

export interface Session {
  socket: WebSocket;
  sessionId: string;
  sequence: number;
  identified: boolean;
  /** [shard id, shard count] from IDENTIFY ([0, 1] without one). */
  shard: [number, number];
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
  }
}

export const interactionTypes = {
  ping: 1,
  command: 2,
  component: 3,
  autocomplete: 4,
  modalSubmit: 5,
} as const;
export const ephemeral = 64;
export const loadingFlag = 128;

/**
 * The fake's state: users, channels, interactions, messages, registered commands and the event log that
 * tests assert on, with the rules of messages (limits, attachments). The REST routes (rest-routes.ts), the
 * gateway (gateway.ts) and the test-facing API (discord-fake.ts) all work on this one object.
 */
export function createFakeState(options: DiscordFakeOptions, origin: string) {
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

  function commandIdFor(name: string, guildId: string | null): string {
    const key = `${guildId ?? 'global'}:1:${name}`;
    const registered = commandIds.get(key) ?? commandIds.get(`global:1:${name}`);
    if (registered) return registered;
    const id = snowflake();
    commandIds.set(key, id);
    return id;
  }

  return {
    options,
    origin,
    appId,
    botUser,
    heartbeatIntervalMs,
    shardCount,
    users,
    dmChannelByUser,
    userByDmChannel,
    guildChannels,
    closedDms,
    interactions,
    messages,
    commands,
    commandIds,
    events,
    listeners,
    requests,
    sessions,
    emit,
    ensureUser,
    dmChannelFor,
    placeFor,
    attachmentsFrom,
    validateMessage,
    createMessage,
    editMessage,
    snapshot,
    toApiMessage,
    commandIdFor,
  };
}

export type FakeState = ReturnType<typeof createFakeState>;

function pngSize(bytes: Buffer): { width?: number; height?: number } {
  const signature = '89504e470d0a1a0a';
  if (bytes.length < 24 || bytes.subarray(0, 8).toString('hex') !== signature) return {};
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
