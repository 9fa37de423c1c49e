import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIInteraction, APIMessage } from 'discord.js';
import { WebSocketServer } from 'ws';
import { attachGateway } from './gateway.ts';
import {
  autocompleteInteraction,
  buttonInteraction,
  chatInputInteraction,
  dmMessageCreate,
  type InteractionPlace,
  type OptionInput,
} from './payloads.ts';
import { createRestApi } from './rest-routes.ts';
import {
  createFakeState,
  type DiscordFakeOptions,
  type FakeEvent,
  type InteractionRecord,
  interactionTypes,
  type MessageRecord,
} from './state.ts';

export type { DiscordFakeOptions, FakeEvent, InteractionRecord, MessageRecord } from './state.ts';

/**
 * A fake Discord (REST API v10 and gateway) on loopback that the real discord.js client logs into:
 * `new Client({ intents, rest: { api: fake.apiUrl } })`. It dispatches interactions and DMs, answers the
 * REST calls a bot makes, enforces the rules a bot can trip over (one callback per interaction, message
 * limits, closed DMs → 50007) and records everything for assertions. Unknown routes are logged and 404.
 */
export type DiscordFake = Awaited<ReturnType<typeof startDiscordFake>>;

/**
 * Starts the fake: one HTTP server for REST (rest-routes.ts) and the gateway (gateway.ts) over the shared
 * state (state.ts); what it returns is the API tests drive the fake with and assert on.
 */
export async function startDiscordFake(options: DiscordFakeOptions = {}) {
  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  const wss = new WebSocketServer({ server });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}`;
  const s = createFakeState(options, origin);
  const { handle } = createRestApi(s, gatewayUrl);
  const { dispatch } = attachGateway(s, wss, gatewayUrl);
  const {
    appId,
    botUser,
    users,
    dmChannelByUser,
    userByDmChannel,
    guildChannels,
    closedDms,
    interactions,
    messages,
    commands,
    events,
    listeners,
    requests,
    sessions,
    ensureUser,
    dmChannelFor,
    placeFor,
    toApiMessage,
    commandIdFor,
  } = s;

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
}
