import { randomBytes } from 'node:crypto';

/**
 * Files the operator picked for an attachment option (`/upload file:`), held in memory for a few minutes.
 * The browser gets an id that only its own session can use; running the command swaps it for what Discord
 * would give the handler — url, name, size, content type — where the url is a one-time, unguessable link
 * the web service serves once. So the command downloads the file exactly as it does from Discord's CDN.
 */
export interface AttachmentOption {
  url: string;
  name: string;
  size: number;
  contentType: string | null;
}

interface Held {
  sessionHash: string;
  name: string;
  contentType: string | null;
  data: Buffer;
  expiresAt: number;
  /** Set once the file is handed to a command; the one-time download link's token. */
  downloadToken?: string;
}

/** Long enough to pick a file and press Send; short enough that nothing lingers. */
export const attachmentLifetimeMs = 10 * 60_000;
/** At most this many files are held at once (the oldest goes first), so memory stays bounded. */
const maxHeld = 8;

const newToken = () => randomBytes(32).toString('base64url');
export const attachmentTokenPattern = /^[A-Za-z0-9_-]{43}$/;

export class AttachmentStore {
  readonly #byId = new Map<string, Held>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Holds a file for a session; the returned id is what the browser sends as the option's value. */
  put(sessionHash: string, file: { name: string; contentType: string | null; data: Buffer }): string {
    this.#sweep();
    while (this.#byId.size >= maxHeld) {
      const oldest = this.#byId.keys().next().value;
      if (oldest === undefined) break;
      this.#byId.delete(oldest);
    }
    const id = newToken();
    this.#byId.set(id, { sessionHash, ...file, expiresAt: this.#now() + attachmentLifetimeMs });
    return id;
  }

  /**
   * The attachment option for a held file, as Discord would give it, with a fresh one-time URL under
   * `baseUrl`; undefined for an unknown or expired id, or one another session uploaded.
   */
  option(id: string, sessionHash: string, baseUrl: string): AttachmentOption | undefined {
    this.#sweep();
    const held = this.#byId.get(id);
    if (!held || held.sessionHash !== sessionHash) return undefined;
    held.downloadToken = newToken();
    return {
      url: `${baseUrl}/console/attachments/${held.downloadToken}`,
      name: held.name,
      size: held.data.length,
      contentType: held.contentType,
    };
  }

  /** The file behind a one-time download token, forgotten as it is handed out. */
  take(token: string): { name: string; contentType: string | null; data: Buffer } | undefined {
    this.#sweep();
    for (const [id, held] of this.#byId) {
      if (held.downloadToken !== undefined && held.downloadToken === token) {
        this.#byId.delete(id);
        return { name: held.name, contentType: held.contentType, data: held.data };
      }
    }
    return undefined;
  }

  get size(): number {
    this.#sweep();
    return this.#byId.size;
  }

  #sweep() {
    const now = this.#now();
    for (const [id, held] of this.#byId) if (held.expiresAt <= now) this.#byId.delete(id);
  }
}
