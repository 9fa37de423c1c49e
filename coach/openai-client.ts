import { createRequire } from 'node:module';
import type OpenAI from 'openai';
import type { Config } from '../lib/config.ts';

// The SDK (~20 MB resident) loads only when a key is configured, not with every module that reaches
// this file: synchronously, through its CommonJS build, so createModelClient keeps its signature.
const require = createRequire(import.meta.url);

export interface ModelCallOptions {
  /** Per request, milliseconds (default OPENAI_TIMEOUT_SECONDS, 45 s: a slow local model still answers, a hung one does not block). */
  timeoutMs?: number;
  /** Retries of connection errors, 408/409/429/5xx (the SDK backs off and honours retry-after). */
  maxRetries?: number;
}

/** The OpenAI client for any OpenAI-compatible server; null when no key is configured. */
export function createModelClient(coach: Config['coach'], options: ModelCallOptions = {}): OpenAI | null {
  if (!coach.apiKey) return null;
  const { OpenAI: Sdk } = require('openai') as { OpenAI: typeof OpenAI };
  return new Sdk({
    apiKey: coach.apiKey,
    ...(coach.baseUrl ? { baseURL: coach.baseUrl, fetch: withV1Fallback(coach.baseUrl) } : {}),
    timeout: options.timeoutMs ?? coach.timeoutMs,
    maxRetries: options.maxRetries ?? 2,
  });
}

/** Bare hosts found to serve the API only under `/v1` (learnt once per process). */
const needsV1 = new Set<string>();

/**
 * The SDK appends `/chat/completions` to the base as given, and the base is documented with its `/v1`
 * (`http://localhost:11434/v1`). Operators often give the bare host instead (`http://localhost:11434`),
 * which every common server (OpenAI, Ollama, vLLM, LM Studio) answers with a 404. So for a base without
 * a path, a 404 is retried once under `/v1`, and the answer remembered.
 */
function withV1Fallback(baseUrl: string): typeof fetch {
  let bare: URL | null = null;
  try {
    const url = new URL(baseUrl);
    if (url.pathname === '/' || url.pathname === '') bare = url;
  } catch {
    // The configuration validated it; the SDK reports anything else.
  }
  const underV1 = (input: string | URL | Request): string => {
    const url = new URL(input instanceof Request ? input.url : input);
    url.pathname = `/v1${url.pathname}`;
    return url.toString();
  };
  return async (input, init) => {
    if (!bare || input instanceof Request) return fetch(input, init);
    if (needsV1.has(bare.origin)) return fetch(underV1(input), init);
    const answered = await fetch(input, init);
    if (answered.status !== 404 || new URL(input).pathname.startsWith('/v1/')) return answered;
    // Buffer the 404 before awaiting the retry: an unread body whose connection closes crashed undici.
    const response = new Response(await answered.arrayBuffer(), answered);
    const retried = await fetch(underV1(input), init);
    if (retried.status !== 404) {
      needsV1.add(bare.origin);
      await response.body?.cancel();
      return retried;
    }
    // Both 404: keep the one that is an API error (e.g. Ollama's "model not found"), not a bare route miss.
    const apiError = (r: Response) => r.headers.get('content-type')?.includes('json') ?? false;
    const [keep, drop] = !apiError(response) && apiError(retried) ? [retried, response] : [response, retried];
    await drop.body?.cancel();
    return keep;
  };
}
