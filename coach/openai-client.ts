import OpenAI from 'openai';
import type { Config } from '../lib/config.ts';

export interface ModelCallOptions {
  /** Per request, milliseconds (default 45 s: a slow local model still answers, a hung one does not block). */
  timeoutMs?: number;
  /** Retries of connection errors, 408/409/429/5xx (the SDK backs off and honours retry-after). */
  maxRetries?: number;
}

/** The OpenAI client for any OpenAI-compatible server; null when no key is configured. */
export function createModelClient(coach: Config['coach'], options: ModelCallOptions = {}): OpenAI | null {
  if (!coach.apiKey) return null;
  return new OpenAI({
    apiKey: coach.apiKey,
    ...(coach.baseUrl ? { baseURL: coach.baseUrl } : {}),
    timeout: options.timeoutMs ?? 45_000,
    maxRetries: options.maxRetries ?? 2,
  });
}
