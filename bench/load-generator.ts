// The webhook load generator, run as its own process by bench/ingest.ts so that its work shares neither
// the server's event loop nor its process: `node --import tsx bench/load-generator.ts '<json>'` prints one
// JSON result line. Open loop: request i is due at start + i/rate whether or not earlier ones answered.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadPlan {
  url: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  subscriptionId: number;
  /** Index of the first event: every event of a run is new (distinct object ids). */
  first: number;
  eventTime: number;
}

export interface LoadResult {
  latencies: number[];
  errors: number;
  statuses: Record<string, number>;
  /** How far behind schedule the generator itself sent its latest request (it must stay small). */
  maxSendLagMs: number;
  measured: number;
  seconds: number;
  cpuMs: number;
}

/** Real Strava event bodies: mostly creates, some title/type/privacy updates and deletes, all distinct. */
export function webhookBody(subscriptionId: number, i: number, eventTime: number): string {
  const aspect = i % 10 < 7 ? 'create' : i % 10 < 9 ? 'update' : 'delete';
  return JSON.stringify({
    aspect_type: aspect,
    event_time: eventTime,
    object_id: 13_000_000_000 + i,
    object_type: 'activity',
    owner_id: 90_000_000 + (i % 997),
    subscription_id: subscriptionId,
    updates: aspect === 'update' ? { title: `Lunch ride ${i}`, private: 'false' } : {},
  });
}

function runPlan(plan: LoadPlan): Promise<LoadResult> {
  const cpuStart = process.cpuUsage();
  const total = Math.round(plan.rate * (plan.seconds + plan.warmupSeconds));
  const warmup = Math.round(plan.rate * plan.warmupSeconds);
  const bodies = Array.from({ length: total }, (_, n) =>
    webhookBody(plan.subscriptionId, plan.first + n, plan.eventTime),
  );
  // FIFO reuse keeps every open socket busy, so none idles into the server's keep-alive timeout.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024, scheduling: 'fifo' });
  const target = new URL(plan.url);
  const interval = 1000 / plan.rate;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let sent = 0;
  let done = 0;
  let errors = 0;
  let maxSendLagMs = 0;
  let lastEnd = 0;
  const start = performance.now() + 20;
  return new Promise((resolve) => {
    const send = (i: number) => {
      const body = bodies[i]!;
      const began = performance.now();
      if (i >= warmup) maxSendLagMs = Math.max(maxSendLagMs, began - (start + i * interval));
      let settled = false;
      const finish = (status: number | string) => {
        if (settled) return;
        settled = true;
        const end = performance.now();
        if (i >= warmup) {
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status === 200) latencies.push(end - began);
          else errors++;
          lastEnd = Math.max(lastEnd, end);
        }
        if (++done === total) {
          agent.destroy();
          const cpu = process.cpuUsage(cpuStart);
          resolve({
            latencies,
            errors,
            statuses,
            maxSendLagMs,
            measured: total - warmup,
            seconds: (lastEnd - (start + warmup * interval)) / 1000,
            cpuMs: (cpu.user + cpu.system) / 1000,
          });
        }
      };
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          timeout: 5000,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => finish(res.statusCode ?? 0));
          res.on('error', () => finish('error'));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error: NodeJS.ErrnoException) => finish(`error:${error.code ?? error.message}`));
      req.end(body);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      while (sent < due) send(sent++);
      if (sent < total) setTimeout(tick, 1);
    };
    setTimeout(tick, 20);
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const plan = JSON.parse(process.argv[2] ?? '{}') as LoadPlan;
  const result = await runPlan(plan);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
