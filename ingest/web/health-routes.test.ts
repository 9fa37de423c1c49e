import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebService } from '../../app/web-service.ts';
import { connectDb } from '../../db/connect.ts';
import { createLogger } from '../../lib/logger.ts';
import { createTestDatabase, type TestDatabase } from '../../test/context.ts';

const logger = createLogger({ level: 'silent' });

describe('health routes', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database.drop());

  it('/healthz and /readyz answer 200 when the database is reachable', async () => {
    const web = createWebService({ db: database.db, logger, port: 0, host: '127.0.0.1' });
    await web.start();
    try {
      const base = `http://127.0.0.1:${web.address().port}`;
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
      const missing = await fetch(`${base}/nope`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('x-powered-by')).toBeNull();
    } finally {
      await web.stop();
    }
  });

  it('/readyz answers 503 when the database is down, /healthz still 200', async () => {
    // A port nothing listens on: connecting is refused at once.
    const down = connectDb('postgres://postgres@127.0.0.1:1/none', { max: 1 });
    const web = createWebService({ db: down.db, logger, port: 0, host: '127.0.0.1' });
    await web.start();
    try {
      const base = `http://127.0.0.1:${web.address().port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'database unreachable' });
    } finally {
      await web.stop();
      await down.close();
    }
  });
});
