/**
 * What a command answers, as plain data: text, embeds, files, buttons. Command logic returns this and
 * tests assert on it; `discord-adapter.ts` alone turns it into discord.js calls.
 */
export interface Reply {
  content?: string;
  embeds?: EmbedSpec[];
  files?: FileSpec[];
  components?: ButtonSpec[][];
  /**
   * Whether the reply shows the athlete's own data. Personal replies are ephemeral in servers (Strava's
   * terms allow showing an athlete's data only to that athlete); in DMs they are normal messages.
   * Defaults to true: a reply must opt out to be public.
   */
  personal?: boolean;
}

export interface EmbedSpec {
  title?: string;
  description?: string;
  url?: string;
  /** 0xRRGGBB */
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
  /** `attachment://<file name>` of a file in the same reply, or a URL. */
  image?: string;
  thumbnail?: string;
  footer?: string;
  timestamp?: Date;
}

export interface FileSpec {
  name: string;
  data: Buffer;
  description?: string;
}

export type ButtonSpec =
  | { kind: 'link'; label: string; url: string; emoji?: string }
  | {
      kind: 'action';
      label: string;
      /** `<command>:<action>[:<arg>...]`, routed back to the command's `button` handler. */
      customId: string;
      style?: 'primary' | 'secondary' | 'success' | 'danger';
      disabled?: boolean;
    };

/** Discord's limits a reply must respect (embed description 4096, field value 1024, content 2000). */
export const discordLimits = {
  content: 2000,
  embedDescription: 4096,
  fieldValue: 1024,
  fields: 25,
  autocompleteChoices: 25,
} as const;
