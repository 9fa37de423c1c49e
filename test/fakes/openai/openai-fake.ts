import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible chat completions server on loopback: the real `/v1/chat/completions` JSON shape
 * (choices, tool_calls, finish_reason, usage), bearer-key check, scripted replies, fault injection
 * (429 with retry-after, 500, slow answers) and a record of every request body it received.
 */

export interface FakeToolCall {
  name: string;
  /** An object is JSON-encoded; a string is sent as is (to script malformed arguments). */
  arguments: Record<string, unknown> | string;
  id?: string;
}

export interface ChatRequestBody {
  model: string;
  messages: {
    role: string;
    content?: string | null;
    tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
    tool_call_id?: string;
  }[];
  tools?: { type: string; function: { name: string; description?: string; parameters?: unknown } }[];
  tool_choice?: unknown;
  max_tokens?: number;
  max_completion_tokens?: number;
  [key: string]: unknown;
}

export type FakeReply =
  | {
      kind: 'message';
      content?: string | null;
      toolCalls?: FakeToolCall[];
      /**
       * Token counts (default: estimated from the sizes). `null` sends no `usage` at all, as some
       * OpenAI-compatible servers do; `total_tokens` may exceed prompt + completion (e.g. reasoning).
       */
      usage?: { prompt_tokens: number; completion_tokens: number; total_tokens?: number } | null;
      /** The model declined: sent as `message.refusal` (content is then null). */
      refusal?: string;
      /** Default: `tool_calls` when there are tool calls, else `stop`. */
      finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
      delayMs?: number;
    }
  | {
      kind: 'error';
      status: number;
      message?: string;
      retryAfterMs?: number;
      /** The standard `retry-after` header, in seconds. */
      retryAfterS?: number;
      delayMs?: number;
    };

/** A scripted step: a fixed reply, or one computed from the request (e.g. from the tool results in it). */
type FakeStep = FakeReply | ((request: ChatRequestBody, index: number) => FakeReply);

interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  body: ChatRequestBody;
}

export const say = (
  content: string,
  usage?: { prompt_tokens: number; completion_tokens: number },
): FakeReply => ({
  kind: 'message',
  content,
  ...(usage ? { usage } : {}),
});

export const callTools = (...toolCalls: FakeToolCall[]): FakeReply => ({ kind: 'message', toolCalls });

export const fail = (status: number, retryAfterMs?: number): FakeReply => ({
  kind: 'error',
  status,
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});

/** The tool-result messages of a request, parsed, in order. */
export function toolResults(request: ChatRequestBody): { toolCallId: string; result: unknown }[] {
  return request.messages
    .filter((message) => message.role === 'tool')
    .map((message) => {
      let result: unknown = message.content;
      try {
        result = JSON.parse(message.content ?? '');
      } catch {
        // Left as text.
      }
      return { toolCallId: message.tool_call_id ?? '', result };
    });
}

/** The latest result of each tool in a request, by tool name (parsed JSON, or the text). */
function resultsByTool(request: ChatRequestBody): Map<string, Record<string, unknown>> {
  const names = new Map<string, string>();
  for (const message of request.messages)
    for (const call of message.tool_calls ?? []) names.set(call.id, call.function.name);
  const out = new Map<string, Record<string, unknown>>();
  for (const { toolCallId, result } of toolResults(request)) {
    const name = names.get(toolCallId);
    if (name) out.set(name, result as Record<string, unknown>);
  }
  return out;
}

/**
 * A scripted model that plays one behaviour: it makes `calls` (none: it answers straight away), then
 * answers from their results by tool name; asked again after answering (e.g. an audit finding), it says
 * `retry`.
 */
export function answerFromTools(
  calls: FakeToolCall[],
  answer: (results: Map<string, Record<string, unknown>>) => string,
  retry = 'I could not confirm that number from your data, so I leave it out.',
): (request: ChatRequestBody) => FakeReply {
  return (request) => {
    if (request.messages.some((message) => message.role === 'assistant' && !message.tool_calls))
      return say(retry);
    if (calls.length > 0 && toolResults(request).length === 0) return callTools(...calls);
    return say(answer(resultsByTool(request)));
  };
}

export interface OpenAiFake {
  /** What `OPENAI_BASE_URL` should be: `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Queues steps; each request takes the next one, then `fallback`. */
  script: (...steps: FakeStep[]) => void;
  /** What answers when the script is empty (default: a plain "ok" message). */
  setFallback: (step: FakeStep) => void;
  /** Steps not yet used. */
  pending: () => number;
  reset: () => void;
  stop: () => Promise<void>;
}

export async function startOpenAiFake(
  options: { apiKey?: string; models?: string[] } = {},
): Promise<OpenAiFake> {
  // What `GET /v1/models` lists (the model-endpoint check asks for it).
  const models = options.models ?? ['gpt-4o-mini', 'gpt-4o'];
  const apiKey = options.apiKey ?? `sk-fake-${randomBytes(6).toString('hex')}`;
  const requests: RecordedRequest[] = [];
  let queue: FakeStep[] = [];
  let fallback: FakeStep = say('ok');
  let counter = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, errorBody('fake crashed', 'server_error'));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (req.method === 'GET' && path === '/v1/models') {
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        sendJson(
          res,
          401,
          errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'),
        );
        return;
      }
      sendJson(res, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' })),
      });
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      sendJson(res, 404, errorBody(`Unknown request URL: ${req.method} ${path}`, 'invalid_request_error'));
      return;
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      sendJson(
        res,
        401,
        errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'),
      );
      return;
    }
    let body: ChatRequestBody;
    try {
      body = JSON.parse(raw) as ChatRequestBody;
    } catch {
      sendJson(
        res,
        400,
        errorBody('We could not parse the JSON body of your request.', 'invalid_request_error'),
      );
      return;
    }
    if (typeof body.model !== 'string' || !Array.isArray(body.messages)) {
      sendJson(res, 400, errorBody("'model' and 'messages' are required", 'invalid_request_error'));
      return;
    }
    const index = requests.length;
    requests.push({ path, authorization: req.headers.authorization, body });
    const step = queue.shift() ?? fallback;
    const reply = typeof step === 'function' ? step(body, index) : step;
    if (reply.delayMs) {
      const closed = await waitOrClose(req, res, reply.delayMs);
      if (closed) return;
    }
    if (reply.kind === 'error') {
      const headers: Record<string, string> = {};
      if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
      if (reply.retryAfterS !== undefined) headers['retry-after'] = String(reply.retryAfterS);
      const type = reply.status === 429 ? 'rate_limit_exceeded' : 'server_error';
      sendJson(res, reply.status, errorBody(reply.message ?? `fake ${reply.status}`, type), headers);
      return;
    }
    counter += 1;
    const toolCalls = (reply.toolCalls ?? []).map((call, i) => ({
      id: call.id ?? `call_${counter}_${i}`,
      type: 'function',
      function: {
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      },
    }));
    const content = reply.content ?? null;
    const estimated = {
      prompt_tokens: Math.ceil(raw.length / 4),
      completion_tokens: Math.ceil(((content ?? '').length + JSON.stringify(toolCalls).length) / 4),
    };
    const usage = reply.usage === null ? null : (reply.usage ?? estimated);
    sendJson(res, 200, {
      id: `chatcmpl-${randomBytes(12).toString('hex')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            // An explicit null without tool calls is legitimate too (e.g. a content-filtered answer).
            content: toolCalls.length > 0 || reply.content === null ? content : (content ?? ''),
            refusal: reply.refusal ?? null,
            ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
            annotations: [],
          },
          logprobs: null,
          finish_reason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
        },
      ],
      ...(usage
        ? {
            usage: {
              total_tokens: usage.prompt_tokens + usage.completion_tokens,
              ...usage,
            },
          }
        : {}),
      system_fingerprint: 'fp_fake',
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    script: (...steps) => {
      queue.push(...steps);
    },
    setFallback: (step) => {
      fallback = step;
    },
    pending: () => queue.length,
    reset: () => {
      queue = [];
      requests.length = 0;
      fallback = say('ok');
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function errorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-request-id': `req_${randomBytes(8).toString('hex')}`,
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Waits `ms`, unless the client hangs up first (a client timeout): then resolves true. */
function waitOrClose(req: IncomingMessage, res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(res.destroyed), ms);
    res.on('close', () => {
      if (!res.writableEnded) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    req.on('aborted', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
