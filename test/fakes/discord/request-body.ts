import type { IncomingMessage } from 'node:http';

/** A file as it arrived in a multipart request (`files[n]`). */
export interface ReceivedFile {
  /** n in `files[n]`: the `id` the payload's `attachments` entry refers to. */
  index: number;
  name: string;
  contentType: string;
  bytes: Buffer;
}

export interface RequestBody {
  json: unknown;
  files: ReceivedFile[];
}

/**
 * Reads a request body as discord.js sends it: JSON, or multipart/form-data with the JSON in `payload_json`
 * and the files in `files[n]` (parsed with the web `Request` API, as a server would).
 */
export async function readRequestBody(req: IncomingMessage): Promise<RequestBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const contentType = req.headers['content-type'] ?? '';
  if (raw.length === 0) return { json: null, files: [] };
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Request('http://discord.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: raw,
    }).formData();
    const files: ReceivedFile[] = [];
    let json: unknown = null;
    for (const [key, value] of form.entries()) {
      if (key === 'payload_json' && typeof value === 'string') {
        json = JSON.parse(value);
        continue;
      }
      const match = /^files\[(\d+)\]$/.exec(key);
      if (match && typeof value !== 'string') {
        files.push({
          index: Number(match[1]),
          name: value.name,
          contentType: value.type || 'application/octet-stream',
          bytes: Buffer.from(await value.arrayBuffer()),
        });
      }
    }
    return { json, files };
  }
  return { json: JSON.parse(raw.toString('utf8')), files: [] };
}
