import type { IncomingMessage, ServerResponse } from 'node:http';
import { autocompleteProblems, commandProblems } from './limits.ts';
import { apiDmChannel, apiGuildTextChannel, apiUser, snowflake } from './payloads.ts';
import { type ReceivedFile, readRequestBody } from './request-body.ts';
import {
  type CallbackRecord,
  ephemeral,
  type FakeState,
  HttpError,
  type InteractionRecord,
  interactionTypes,
  loadingFlag,
  type MessageRecord,
} from './state.ts';

/** The REST API v10 routes a bot calls, answered from and recorded into the fake's state. */
export function createRestApi(s: FakeState, gatewayUrl: string) {
  const {
    options,
    origin,
    appId,
    botUser,
    shardCount,
    users,
    userByDmChannel,
    guildChannels,
    closedDms,
    interactions,
    messages,
    commands,
    commandIds,
    requests,
    emit,
    ensureUser,
    dmChannelFor,
    createMessage,
    editMessage,
    snapshot,
    toApiMessage,
  } = s;

  // ---- REST -----------------------------------------------------------------------------------------

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const requireBotAuth = (req: IncomingMessage) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bot (.+)$/.exec(header);
    if (!match || (options.token !== undefined && match[1] !== options.token)) {
      throw new HttpError(401, 0, '401: Unauthorized');
    }
  };

  const interactionFor = (id: string, token: string): InteractionRecord => {
    const record = interactions.get(id);
    if (!record || record.token !== token || record.expired)
      throw new HttpError(404, 10062, 'Unknown interaction');
    return record;
  };

  const interactionForWebhook = (app: string, token: string): InteractionRecord => {
    if (app !== appId) throw new HttpError(404, 10015, 'Unknown Webhook');
    const record = [...interactions.values()].find((r) => r.token === token);
    if (!record) throw new HttpError(404, 10015, 'Unknown Webhook');
    if (record.expired) throw new HttpError(401, 50027, 'Invalid Webhook Token');
    if (record.callbacks.length === 0) throw new HttpError(404, 10015, 'Unknown Webhook');
    return record;
  };

  const onCallback = (
    record: InteractionRecord,
    body: Record<string, unknown>,
    files: ReceivedFile[],
    withResponse: boolean,
  ) => {
    if (record.callbacks.length > 0)
      throw new HttpError(400, 40060, 'Interaction has already been acknowledged.');
    const type = Number(body['type']);
    const data = (body['data'] as Record<string, unknown> | undefined) ?? null;
    const allowed: Record<number, number[]> = {
      [interactionTypes.command]: [4, 5, 9],
      [interactionTypes.component]: [4, 5, 6, 7, 9],
      [interactionTypes.autocomplete]: [8],
      [interactionTypes.modalSubmit]: [4, 5, 6, 7],
    };
    if (!(allowed[record.type] ?? []).includes(type)) {
      throw new HttpError(400, 50035, 'Invalid Form Body', [`type: callback ${type} not valid here`]);
    }
    const channelId = record.payload.channel?.id ?? dmChannelFor(record.userId);
    if (type === 4) {
      record.original = createMessage(
        { channelId, kind: 'interaction-original', interactionId: record.id },
        data ?? {},
        files,
      );
    } else if (type === 5) {
      record.original = createMessage(
        { channelId, kind: 'interaction-original', interactionId: record.id, loading: true },
        { flags: ((data?.['flags'] as number | undefined) ?? 0) | loadingFlag },
        [],
      );
    } else if (type === 7 && record.original) {
      editMessage(record.original, data ?? {}, files);
      emit({ kind: 'message-edited', message: snapshot(record.original) });
    } else if (type === 8) {
      const problems = autocompleteProblems(
        (data?.['choices'] as Record<string, unknown>[] | undefined) ?? [],
      );
      if (problems.length > 0) throw new HttpError(400, 50035, 'Invalid Form Body', problems);
    }
    const callback: CallbackRecord = {
      type,
      data,
      flags: typeof data?.['flags'] === 'number' ? (data['flags'] as number) : 0,
      files,
      withResponse,
    };
    record.callbacks.push(callback);
    emit({
      kind: 'interaction-callback',
      interaction: record,
      callback,
      message: record.original && [4, 5, 7].includes(type) ? snapshot(record.original) : null,
    });
    if (!withResponse) return null;
    return {
      interaction: {
        id: record.id,
        type: record.type,
        response_message_id: record.original?.id ?? null,
        response_message_loading: type === 5,
        response_message_ephemeral: ((callback.flags | (record.original?.flags ?? 0)) & ephemeral) !== 0,
      },
      resource:
        type === 8 || type === 6
          ? { type }
          : { type, ...(record.original && type !== 9 ? { message: toApiMessage(record.original) } : {}) },
    };
  };

  const commandsFrom = (body: unknown, guildId: string | null) => {
    if (!Array.isArray(body)) throw new HttpError(400, 50035, 'Invalid Form Body', ['expected an array']);
    if (body.length > 100) throw new HttpError(400, 30032, 'Maximum number of application commands reached');
    return (body as Record<string, unknown>[]).map((command) => {
      const name = String(command['name'] ?? '');
      if ((command['type'] ?? 1) === 1) {
        const problems = commandProblems(command);
        if (problems.length > 0) throw new HttpError(400, 50035, 'Invalid Form Body', problems);
      }
      const type = typeof command['type'] === 'number' ? command['type'] : 1;
      if (!/^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$/u.test(name)) {
        throw new HttpError(400, 50035, 'Invalid Form Body', [`name: "${name}" is not a valid command name`]);
      }
      const description = String(command['description'] ?? '');
      if (type === 1 && (description.length < 1 || description.length > 100)) {
        throw new HttpError(400, 50035, 'Invalid Form Body', [`${name}.description: 1 to 100 characters`]);
      }
      const key = `${guildId ?? 'global'}:${type}:${name}`;
      let id = commandIds.get(key);
      if (!id) {
        id = snowflake();
        commandIds.set(key, id);
      }
      return {
        id,
        application_id: appId,
        version: snowflake(),
        type,
        name,
        name_localizations: null,
        description,
        description_localizations: null,
        default_member_permissions: null,
        nsfw: false,
        ...command,
        ...(guildId ? { guild_id: guildId } : {}),
      };
    });
  };

  const routes: {
    method: string;
    pattern: RegExp;
    bot: boolean;
    run: (
      match: RegExpExecArray,
      body: { json: unknown; files: ReceivedFile[] },
      url: URL,
      res: ServerResponse,
    ) => unknown;
  }[] = [
    {
      method: 'GET',
      pattern: /^\/gateway\/bot$/,
      bot: true,
      run: () => ({
        url: gatewayUrl,
        shards: shardCount,
        session_start_limit: {
          total: 1000,
          remaining: 999,
          reset_after: 0,
          max_concurrency: options.maxConcurrency ?? 1,
        },
      }),
    },
    { method: 'GET', pattern: /^\/gateway$/, bot: false, run: () => ({ url: gatewayUrl }) },
    { method: 'GET', pattern: /^\/users\/@me$/, bot: true, run: () => botUser },
    {
      method: 'GET',
      pattern: /^\/(?:oauth2\/)?applications\/@me$/,
      bot: true,
      run: () => ({
        id: appId,
        name: botUser.username,
        icon: null,
        description: '',
        bot_public: true,
        bot_require_code_grant: false,
        verify_key: '0'.repeat(64),
        flags: 0,
        bot: botUser,
        owner: apiUser({ id: '1300000000000000999', username: 'owner' }),
        team: null,
        summary: '',
        approximate_guild_count: 0,
      }),
    },
    {
      method: 'GET',
      pattern: /^\/users\/(\d+)$/,
      bot: true,
      run: (m) => {
        const user = users.get(m[1]!);
        if (!user) throw new HttpError(404, 10013, 'Unknown User');
        return user;
      },
    },
    {
      method: 'POST',
      pattern: /^\/users\/@me\/channels$/,
      bot: true,
      run: (_m, body) => {
        const recipient = (body.json as Record<string, unknown> | null)?.['recipient_id'];
        if (typeof recipient !== 'string' || !/^\d{15,21}$/.test(recipient)) {
          throw new HttpError(400, 50035, 'Invalid Form Body', ['recipient_id: not a snowflake']);
        }
        return apiDmChannel(dmChannelFor(recipient), ensureUser(recipient));
      },
    },
    {
      method: 'GET',
      pattern: /^\/channels\/(\d+)$/,
      bot: true,
      run: (m) => {
        const userId = userByDmChannel.get(m[1]!);
        if (userId) return apiDmChannel(m[1]!, ensureUser(userId));
        const guildId = guildChannels.get(m[1]!);
        if (guildId) return apiGuildTextChannel(m[1]!, guildId);
        throw new HttpError(404, 10003, 'Unknown Channel');
      },
    },
    {
      method: 'POST',
      pattern: /^\/channels\/(\d+)\/messages$/,
      bot: true,
      run: (m, body) => {
        const channelId = m[1]!;
        const userId = userByDmChannel.get(channelId);
        if (!userId && !guildChannels.has(channelId)) throw new HttpError(404, 10003, 'Unknown Channel');
        if (userId && closedDms.has(userId)) {
          emit({ kind: 'dm-refused', userId, channelId });
          throw new HttpError(403, 50007, 'Cannot send messages to this user');
        }
        const message = createMessage(
          { channelId, kind: 'channel', interactionId: null },
          (body.json as Record<string, unknown>) ?? {},
          body.files,
        );
        emit({ kind: 'message', message: snapshot(message) });
        return toApiMessage(message);
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/,
      bot: true,
      run: (m, body) => {
        const message = messages.get(m[2]!);
        if (!message || message.channelId !== m[1] || message.deleted) {
          throw new HttpError(404, 10008, 'Unknown Message');
        }
        editMessage(message, (body.json as Record<string, unknown>) ?? {}, body.files);
        emit({ kind: 'message-edited', message: snapshot(message) });
        return toApiMessage(message);
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/,
      bot: true,
      run: (m, _body, _url, res) => {
        const message = messages.get(m[2]!);
        if (!message || message.channelId !== m[1] || message.deleted) {
          throw new HttpError(404, 10008, 'Unknown Message');
        }
        message.deleted = true;
        res.writeHead(204).end();
      },
    },
    {
      method: 'POST',
      pattern: /^\/channels\/(\d+)\/typing$/,
      bot: true,
      run: (m, _body, _url, res) => {
        const channelId = m[1]!;
        const userId = userByDmChannel.get(channelId) ?? null;
        if (!userId && !guildChannels.has(channelId)) throw new HttpError(404, 10003, 'Unknown Channel');
        emit({ kind: 'typing', channelId, userId });
        res.writeHead(204).end();
      },
    },
    {
      method: 'POST',
      pattern: /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
      bot: false,
      run: (m, body, url, res) => {
        const record = interactionFor(m[1]!, m[2]!);
        const result = onCallback(
          record,
          (body.json as Record<string, unknown>) ?? {},
          body.files,
          url.searchParams.get('with_response') === 'true',
        );
        if (result === null) res.writeHead(204).end();
        else return result;
      },
    },
    {
      method: 'POST',
      pattern: /^\/webhooks\/(\d+)\/([^/]+)$/,
      bot: false,
      run: (m, body) => {
        const record = interactionForWebhook(m[1]!, m[2]!);
        const message = createMessage(
          {
            channelId: record.payload.channel?.id ?? dmChannelFor(record.userId),
            kind: 'follow-up',
            interactionId: record.id,
          },
          (body.json as Record<string, unknown>) ?? {},
          body.files,
        );
        record.followUps.push(message);
        emit({ kind: 'follow-up', interaction: record, message: snapshot(message) });
        return toApiMessage(message);
      },
    },
    {
      method: 'GET',
      pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/,
      bot: false,
      run: (m) => toApiMessage(webhookMessage(interactionForWebhook(m[1]!, m[2]!), m[3]!)),
    },
    {
      method: 'PATCH',
      pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/,
      bot: false,
      run: (m, body) => {
        const record = interactionForWebhook(m[1]!, m[2]!);
        const message = webhookMessage(record, m[3]!);
        editMessage(message, (body.json as Record<string, unknown>) ?? {}, body.files);
        if (message === record.original) {
          record.edits.push(snapshot(message));
          emit({ kind: 'original-edited', interaction: record, message: snapshot(message) });
        } else {
          emit({ kind: 'message-edited', message: snapshot(message) });
        }
        return toApiMessage(message);
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/,
      bot: false,
      run: (m, _body, _url, res) => {
        webhookMessage(interactionForWebhook(m[1]!, m[2]!), m[3]!).deleted = true;
        res.writeHead(204).end();
      },
    },
    {
      method: 'PUT',
      pattern: /^\/applications\/(\d+)\/commands$/,
      bot: true,
      run: (m, body) => {
        if (m[1] !== appId) throw new HttpError(403, 50001, 'Missing Access');
        commands.global = commandsFrom(body.json, null);
        emit({ kind: 'commands', guildId: null, commands: commands.global });
        return commands.global;
      },
    },
    {
      method: 'GET',
      pattern: /^\/applications\/(\d+)\/commands$/,
      bot: true,
      run: (m) => {
        if (m[1] !== appId) throw new HttpError(403, 50001, 'Missing Access');
        return commands.global ?? [];
      },
    },
    {
      method: 'PUT',
      pattern: /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/,
      bot: true,
      run: (m, body) => {
        if (m[1] !== appId) throw new HttpError(403, 50001, 'Missing Access');
        const list = commandsFrom(body.json, m[2]!);
        commands.guilds.set(m[2]!, list);
        emit({ kind: 'commands', guildId: m[2]!, commands: list });
        return list;
      },
    },
    {
      method: 'GET',
      pattern: /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/,
      bot: true,
      run: (m) => {
        if (m[1] !== appId) throw new HttpError(403, 50001, 'Missing Access');
        return commands.guilds.get(m[2]!) ?? [];
      },
    },
  ];

  const webhookMessage = (record: InteractionRecord, which: string): MessageRecord => {
    const message =
      which === '@original' ? record.original : (record.followUps.find((f) => f.id === which) ?? null);
    if (!message || message.deleted) throw new HttpError(404, 10008, 'Unknown Message');
    return message;
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    // discord.js encodes path segments (`@original` arrives as `%40original`); Discord decodes them.
    let path = url.pathname.split('/').map(decodeURIComponent).join('/');
    try {
      const attachment = /^\/attachments\/(\d+)\/(\d+)\/[^/]+$/.exec(path);
      if (attachment && method === 'GET') {
        const file = [...messages.values()]
          .filter((msg) => msg.channelId === attachment[1])
          .flatMap((msg) => msg.attachments)
          .find((a) => a.id === attachment[2]);
        if (!file) throw new HttpError(404, 0, '404: Not Found');
        res.writeHead(200, { 'content-type': file.contentType }).end(file.bytes);
        requests.push({ method, path, status: 200 });
        return;
      }
      const versioned = /^\/api\/v(\d+)(\/.*)$/.exec(path);
      if (!versioned) throw new HttpError(404, 0, '404: Not Found');
      path = versioned[2]!;
      const route = routes.find((r) => r.method === method && r.pattern.test(path));
      if (!route) {
        emit({ kind: 'unknown-route', method, path });
        if (!options.quiet)
          console.warn(`[discord-fake] unknown route ${method} ${url.pathname}${url.search}`);
        throw new HttpError(404, 0, '404: Not Found');
      }
      if (route.bot) requireBotAuth(req);
      const body = await readRequestBody(req);
      const result = route.run(route.pattern.exec(path)!, body, url, res);
      if (!res.headersSent) json(res, 200, result);
      requests.push({ method, path, status: res.statusCode });
    } catch (error) {
      if (error instanceof HttpError) {
        json(res, error.status, {
          message: error.message,
          code: error.code,
          ...(error.errors ? { errors: { _errors: error.errors } } : {}),
        });
        requests.push({ method, path, status: error.status });
        return;
      }
      console.error('[discord-fake] handler failed', error);
      if (!res.headersSent) json(res, 500, { message: '500: Internal Server Error', code: 0 });
      requests.push({ method, path, status: 500 });
    }
  }

  return { handle };
}
