import type { WebSocketServer } from 'ws';
import type { FakeState, Session } from './state.ts';

/** The gateway on the fake's WebSocket server: HELLO, IDENTIFY (with shards), heartbeats, RESUME, dispatch. */
export function attachGateway(s: FakeState, wss: WebSocketServer, gatewayUrl: string) {
  const { options, appId, botUser, heartbeatIntervalMs, shardCount, sessions, emit } = s;

  // ---- gateway --------------------------------------------------------------------------------------

  const send = (session: Session, payload: Record<string, unknown>) => {
    if (session.socket.readyState === session.socket.OPEN) session.socket.send(JSON.stringify(payload));
  };

  const dispatchTo = (session: Session, t: string, d: unknown) => {
    session.sequence += 1;
    send(session, { op: 0, t, s: session.sequence, d });
  };

  wss.on('connection', (socket) => {
    const session: Session = {
      socket,
      sessionId: crypto.randomUUID().replaceAll('-', ''),
      sequence: 0,
      identified: false,
      shard: [0, 1],
    };
    sessions.add(session);
    socket.on('close', () => sessions.delete(session));
    socket.on('error', () => sessions.delete(session));
    send(session, {
      op: 10,
      d: { heartbeat_interval: heartbeatIntervalMs, _trace: ['["discord-fake",{}]'] },
      s: null,
      t: null,
    });
    socket.on('message', (raw) => {
      let payload: { op?: number; d?: Record<string, unknown> };
      try {
        payload = JSON.parse(raw.toString()) as typeof payload;
      } catch {
        socket.close(4002, 'Error while decoding payload.');
        return;
      }
      switch (payload.op) {
        case 1:
          emit({ kind: 'heartbeat' });
          send(session, { op: 11, d: null, s: null, t: null });
          break;
        case 2: {
          const d = payload.d ?? {};
          if (options.token !== undefined && d['token'] !== options.token) {
            socket.close(4004, 'Authentication failed.');
            return;
          }
          if (session.identified) {
            socket.close(4005, 'Already authenticated.');
            return;
          }
          const shard = (d['shard'] as [number, number] | undefined) ?? [0, 1];
          if (shard[1] !== shardCount || shard[0] < 0 || shard[0] >= shard[1]) {
            socket.close(4010, 'Invalid shard.');
            return;
          }
          session.identified = true;
          session.shard = shard;
          emit({ kind: 'identify', payload: d });
          dispatchTo(session, 'READY', {
            v: 10,
            user: botUser,
            guilds: [],
            session_id: session.sessionId,
            resume_gateway_url: gatewayUrl,
            shard,
            application: { id: appId, flags: 0 },
            user_settings: {},
            private_channels: [],
            presences: [],
            relationships: [],
            guild_join_requests: [],
            geo_ordered_rtc_regions: [],
            auth: {},
            _trace: ['["discord-fake",{}]'],
          });
          break;
        }
        case 6: {
          // RESUME: this fake keeps no backlog, so nothing is replayed.
          session.identified = true;
          dispatchTo(session, 'RESUMED', { _trace: ['["discord-fake",{}]'] });
          break;
        }
        default:
          break;
      }
    });
  });

  /** Discord's routing: a guild's events go to shard (guild_id >> 22) % count, DMs to shard 0. */
  const shardOf = (d: unknown): number => {
    const guildId = (d as { guild_id?: unknown } | null)?.guild_id;
    return typeof guildId === 'string' ? Number((BigInt(guildId) >> 22n) % BigInt(shardCount)) : 0;
  };

  const dispatch = (t: string, d: unknown) => {
    const shard = shardOf(d);
    const ready = [...sessions].filter((s) => s.identified && s.shard[0] === shard);
    if (ready.length === 0)
      throw new Error(`discord fake: no identified gateway connection on shard ${shard} to send ${t} to`);
    for (const session of ready) dispatchTo(session, t, d);
  };

  return { dispatch };
}
