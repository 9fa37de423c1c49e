import type {
  APIApplicationCommandAutocompleteInteraction,
  APIApplicationCommandInteractionDataBasicOption,
  APIApplicationCommandInteractionDataOption,
  APIChatInputApplicationCommandInteraction,
  APIDMChannel,
  APIInteractionGuildMember,
  APIMessage,
  APIMessageComponentButtonInteraction,
  APITextChannel,
  APIUser,
  GatewayMessageCreateDispatchData,
} from 'discord.js';

/**
 * Realistic Discord API payloads (v10, snake_case, as the gateway sends them) for the fake and its
 * tests. Numbers are the wire values: interaction type 2 = application command, 3 = component,
 * 4 = autocomplete; channel type 0 = guild text, 1 = DM; option types 1 subcommand, 3 string,
 * 4 integer, 5 boolean, 10 number.
 */

const discordEpoch = 1_420_070_400_000n;
let sequence = 0n;

/** A unique, time-ordered snowflake (timestamp since the Discord epoch << 22 | counter). */
export function snowflake(at = Date.now()): string {
  sequence = (sequence + 1n) & 0x3fffffn;
  return String(((BigInt(at) - discordEpoch) << 22n) | sequence);
}

function randomToken(): string {
  return `aW50ZXJhY3Rpb246${crypto.randomUUID().replaceAll('-', '')}${crypto.randomUUID().replaceAll('-', '')}`;
}

/** Every permission a user has in a guild channel where the bot works (as Discord sends it: a string). */
const allPermissions = '2248473465835073';

export interface UserInit {
  id: string;
  username?: string;
  globalName?: string | null;
  bot?: boolean;
}

// Wire numbers where discord-api-types has enums: hence the `as unknown as` casts.
export function apiUser(init: UserInit): APIUser {
  return {
    id: init.id,
    username: init.username ?? `athlete${init.id.slice(-4)}`,
    global_name: init.globalName === undefined ? null : init.globalName,
    discriminator: '0',
    avatar: null,
    public_flags: 0,
    flags: 0,
    ...(init.bot ? { bot: true } : {}),
  } as unknown as APIUser;
}

function apiMember(user: APIUser): APIInteractionGuildMember {
  return {
    user,
    roles: [],
    joined_at: '2024-01-15T10:00:00.000000+00:00',
    premium_since: null,
    deaf: false,
    mute: false,
    pending: false,
    nick: null,
    avatar: null,
    banner: null,
    flags: 0,
    permissions: allPermissions,
    communication_disabled_until: null,
  } as unknown as APIInteractionGuildMember;
}

export function apiGuildTextChannel(id: string, guildId: string): APITextChannel {
  return {
    id,
    type: 0,
    guild_id: guildId,
    name: 'training',
    position: 0,
    permission_overwrites: [],
    nsfw: false,
    parent_id: null,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  } as unknown as APITextChannel;
}

export function apiDmChannel(id: string, recipient: APIUser): APIDMChannel {
  return { id, type: 1, recipients: [recipient], last_message_id: null, flags: 0 } as unknown as APIDMChannel;
}

/** Where an interaction happens: a guild channel (member set) or the user's DM with the bot (user set). */
export type InteractionPlace = { guildId: string; channelId?: string } | { dmChannelId: string };

function context(user: APIUser, place: InteractionPlace, appId: string) {
  if ('guildId' in place) {
    const channelId = place.channelId ?? snowflake();
    return {
      guild_id: place.guildId,
      guild: { id: place.guildId, locale: 'en-US', features: [] },
      channel: apiGuildTextChannel(channelId, place.guildId),
      channel_id: channelId,
      member: apiMember(user),
      guild_locale: 'en-US',
      authorizing_integration_owners: { '0': place.guildId },
      context: 0,
      app_permissions: allPermissions,
    } as const;
  }
  return {
    channel: apiDmChannel(place.dmChannelId, user),
    channel_id: place.dmChannelId,
    user,
    authorizing_integration_owners: { '0': appId, '1': user.id },
    context: 1,
    app_permissions: '1126999418470465',
  } as const;
}

function common(appId: string) {
  return {
    id: snowflake(),
    application_id: appId,
    token: randomToken(),
    version: 1 as const,
    locale: 'en-US' as const,
    entitlements: [],
    attachment_size_limit: 26_214_400,
  };
}

/** Options in wire form; plain values are typed by JavaScript type (integers as type 4). */
export type OptionInput =
  | APIApplicationCommandInteractionDataOption[]
  | Record<string, string | number | boolean | { type: 3 | 4 | 5 | 10; value: string | number | boolean }>;

function toOptions(input: OptionInput | undefined): APIApplicationCommandInteractionDataOption[] {
  if (!input) return [];
  if (Array.isArray(input)) return input;
  return Object.entries(input).map(([name, value]) => {
    if (typeof value === 'object')
      return { name, ...value } as APIApplicationCommandInteractionDataBasicOption;
    if (typeof value === 'string') return { name, type: 3, value };
    if (typeof value === 'boolean') return { name, type: 5, value };
    return {
      name,
      type: Number.isInteger(value) ? 4 : 10,
      value,
    } as APIApplicationCommandInteractionDataBasicOption;
  });
}

export interface SlashCommandInit {
  appId: string;
  user: APIUser;
  place: InteractionPlace;
  name: string;
  commandId?: string;
  /** A subcommand wraps the options: `/settings ftp value:250` is subcommand 'ftp'. */
  subcommand?: string;
  options?: OptionInput;
}

export function chatInputInteraction(init: SlashCommandInit): APIChatInputApplicationCommandInteraction {
  const options = toOptions(init.options);
  const wrapped: APIApplicationCommandInteractionDataOption[] = init.subcommand
    ? [
        {
          name: init.subcommand,
          type: 1,
          options: options as APIApplicationCommandInteractionDataBasicOption[],
        },
      ]
    : options;
  return {
    ...common(init.appId),
    type: 2,
    data: {
      id: init.commandId ?? snowflake(),
      name: init.name,
      type: 1,
      ...(wrapped.length > 0 ? { options: wrapped } : {}),
      ...('guildId' in init.place ? { guild_id: init.place.guildId } : {}),
    },
    ...context(init.user, init.place, init.appId),
  } as APIChatInputApplicationCommandInteraction;
}

export interface AutocompleteInit extends Omit<SlashCommandInit, 'options'> {
  /** The option being typed and what is typed so far. */
  focused: { name: string; value: string; type?: 3 | 4 | 10 };
  /** Other options already filled in. */
  options?: OptionInput;
}

export function autocompleteInteraction(
  init: AutocompleteInit,
): APIApplicationCommandAutocompleteInteraction {
  const focused = {
    name: init.focused.name,
    type: init.focused.type ?? 3,
    value: init.focused.value,
    focused: true,
  } as APIApplicationCommandInteractionDataBasicOption;
  const options = [...toOptions(init.options), focused] as APIApplicationCommandInteractionDataBasicOption[];
  const wrapped: APIApplicationCommandInteractionDataOption[] = init.subcommand
    ? [{ name: init.subcommand, type: 1, options }]
    : options;
  return {
    ...common(init.appId),
    type: 4,
    data: {
      id: init.commandId ?? snowflake(),
      name: init.name,
      type: 1,
      options: wrapped,
      ...('guildId' in init.place ? { guild_id: init.place.guildId } : {}),
    },
    ...context(init.user, init.place, init.appId),
  } as APIApplicationCommandAutocompleteInteraction;
}

export interface ButtonInit {
  appId: string;
  user: APIUser;
  place: InteractionPlace;
  customId: string;
  /** The message carrying the button, as Discord would send it. */
  message: APIMessage;
}

export function buttonInteraction(init: ButtonInit): APIMessageComponentButtonInteraction {
  return {
    ...common(init.appId),
    type: 3,
    data: { custom_id: init.customId, component_type: 2 },
    message: init.message,
    ...context(init.user, init.place, init.appId),
  } as APIMessageComponentButtonInteraction;
}

export interface MessageInit {
  id?: string;
  channelId: string;
  author: APIUser;
  content?: string;
  embeds?: unknown[];
  components?: unknown[];
  attachments?: unknown[];
  flags?: number;
  guildId?: string;
  timestamp?: string;
  editedTimestamp?: string | null;
  webhookId?: string;
  applicationId?: string;
}

export function apiMessage(init: MessageInit): APIMessage {
  return {
    id: init.id ?? snowflake(),
    channel_id: init.channelId,
    author: init.author,
    content: init.content ?? '',
    timestamp: init.timestamp ?? new Date().toISOString(),
    edited_timestamp: init.editedTimestamp ?? null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: init.attachments ?? [],
    embeds: init.embeds ?? [],
    pinned: false,
    type: 0,
    flags: init.flags ?? 0,
    components: init.components ?? [],
    ...(init.webhookId ? { webhook_id: init.webhookId } : {}),
    ...(init.applicationId ? { application_id: init.applicationId } : {}),
  } as APIMessage;
}

/** A user's message in their DM with the bot, as the MESSAGE_CREATE dispatch carries it (no guild_id). */
export function dmMessageCreate(init: {
  channelId: string;
  author: APIUser;
  content: string;
}): GatewayMessageCreateDispatchData {
  // Discord sends channel_type (1 = DM); discord.js needs it to build the partial DM channel.
  return { ...apiMessage(init), mentions: [], channel_type: 1 } as GatewayMessageCreateDispatchData;
}
