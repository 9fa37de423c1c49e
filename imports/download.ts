import { AppError } from '../lib/errors.ts';

/**
 * Downloads a file, refusing it as soon as it passes `maxBytes` (by its Content-Length, or while
 * streaming when the server does not say), so a large or endless body is never held in memory.
 */
export async function downloadCapped(
  url: string,
  maxBytes: number,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<Buffer> {
  const what = options.what ?? 'the file';
  if (!/^https?:\/\//i.test(url)) {
    throw new AppError('bad_request', {
      message: `refused download URL scheme: ${url.slice(0, 40)}`,
      userMessage: `I could not fetch ${what}.`,
    });
  }
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      redirect: 'follow',
    });
  } catch (error) {
    throw new AppError('unavailable', {
      message: `download failed: ${(error as Error).message}`,
      userMessage: `I could not download ${what} from Discord; please try again.`,
      cause: error,
    });
  }
  if (!response.ok || !response.body) {
    throw new AppError('unavailable', {
      message: `download answered ${response.status}`,
      userMessage: `I could not download ${what} from Discord (HTTP ${response.status}); please try again.`,
    });
  }
  const tooLarge = () =>
    new AppError('bad_request', {
      message: 'download larger than the cap',
      userMessage: `${what} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the limit; refused.`,
    });
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body.cancel().catch(() => {});
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
