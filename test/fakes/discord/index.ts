export {
  type CallbackRecord,
  type DiscordFake,
  type DiscordFakeOptions,
  type FakeEvent,
  type InteractionRecord,
  type MessageRecord,
  type RecordedAttachment,
  type RegisteredCommands,
  startDiscordFake,
} from './discord-fake.ts';
export * from './limits.ts';
export * from './payloads.ts';
export type { ReceivedFile } from './request-body.ts';
