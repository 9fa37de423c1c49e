import { performance } from 'node:perf_hooks';
import { startBenchApp } from './bench-app.ts';
import { enqueueWebhookBacklog, measureDrain } from './ingest.ts';

const n = Number(process.argv[2] ?? 20000);
const app = await startBenchApp();
try {
  await enqueueWebhookBacklog(app, n);
  const start = performance.now();
  await app.startWorkers();
  console.log(JSON.stringify(await measureDrain(app, n, start)));
} finally {
  await app.stop();
}
