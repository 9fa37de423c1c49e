import { type Request, Router } from 'express';
import type { PgBoss } from 'pg-boss';
import type { Db } from '../db/connect.ts';
import {
  claimImportUpload,
  deleteImportChunks,
  findExportImport,
  insertImportChunk,
  updateExportImport,
} from '../db/queries/export-imports.ts';
import type { Config } from '../lib/config.ts';
import { AppError } from '../lib/errors.ts';
import { jobNames, priorities } from '../lib/jobs/job-names.ts';
import type { Logger } from '../lib/logger.ts';
import { verifyImportToken } from './upload-links.ts';

/** Largest export accepted (Strava exports with years of GPS files run to a few hundred MB). */
const maxExportBytes = 1024 * 1024 * 1024;
const chunkBytes = 4 * 1024 * 1024;
const zipMagic = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * The upload page for a Strava export and the endpoint it sends the ZIP to. The body is streamed into
 * Postgres in chunks (never whole in memory, readable by any worker), then the import job is queued.
 */
export function importRoutes(options: {
  db: Db;
  boss: PgBoss;
  config: Config;
  logger: Logger;
  now?: () => Date;
}): Router {
  const { db, boss, config } = options;
  const now = options.now ?? (() => new Date());
  const log = options.logger.child({ subsystem: 'import-upload' });
  const router = Router();

  router.get('/imports/upload.js', (_req, res) => {
    res.type('application/javascript').send(uploadScript);
  });

  router.get('/imports/upload/:token', async (req, res) => {
    const importId = verifyImportToken(config, req.params.token, now());
    const row = importId ? await findExportImport(db, importId) : undefined;
    if (row?.state !== 'awaiting_upload') {
      res
        .status(410)
        .type('html')
        .send(
          page(
            'This link has expired or was used',
            '<p>Run <code>/import</code> in Discord for a new one.</p>',
          ),
        );
      return;
    }
    res.type('html').send(
      page(
        'Upload your Strava export',
        `<p>Choose the ZIP Strava emailed you (Settings → My Account → Download or Delete Your Account → Request your archive). It stays private: only your own training data is read from it.</p>
<form id="upload"><input type="file" id="file" accept=".zip,application/zip" required> <button type="submit">Upload</button></form>
<p id="status" role="status"></p>
<script src="/imports/upload.js"></script>`,
      ),
    );
  });

  router.post('/imports/upload/:token', async (req, res) => {
    const importId = verifyImportToken(config, req.params.token, now());
    if (!importId) throw gone();
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxExportBytes) {
      throw new AppError('bad_request', {
        message: 'export upload too large',
        userMessage: `The file is larger than ${maxExportBytes / 1024 / 1024 / 1024} GB, the limit.`,
      });
    }
    // Single use: only the first request moves the import out of awaiting_upload.
    if (!(await claimImportUpload(db, importId, now()))) throw gone();
    const fileName = String(req.headers['x-file-name'] ?? 'export.zip')
      .replace(/[^\w .()-]/g, '_')
      .slice(0, 200);
    try {
      const size = await storeBody(db, importId, req);
      await updateExportImport(db, importId, {
        state: 'queued',
        byte_size: String(size),
        file_name: fileName,
      });
      await boss.send(
        jobNames.importExport,
        { importId },
        { priority: priorities.backfill, singletonKey: importId },
      );
      log.info({ importId, bytes: size }, 'export uploaded and queued');
      res
        .status(202)
        .json({ ok: true, message: 'Uploaded. The import runs now; Threshold will DM you its progress.' });
    } catch (error) {
      await deleteImportChunks(db, importId);
      await updateExportImport(db, importId, {
        state: 'failed',
        error: error instanceof AppError ? error.userMessage : 'upload interrupted',
        finished_at: new Date(),
      });
      if (error instanceof AppError) throw error;
      log.warn({ err: error, importId }, 'export upload failed');
      throw new AppError('bad_request', {
        message: 'export upload interrupted',
        userMessage: 'The upload was interrupted; run /import for a new link.',
      });
    }
  });

  return router;
}

function gone(): AppError {
  return new AppError('not_found', {
    message: 'import link invalid, expired or used',
    userMessage: 'This upload link has expired or was already used; run /import in Discord for a new one.',
  });
}

/** Streams the request body into export_import_chunks; checks the ZIP signature before storing anything. */
async function storeBody(db: Db, importId: string, req: Request): Promise<number> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  let seq = 0;
  let checked = false;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    if (!checked) {
      checked = true;
      if (data.length < 4 || !data.subarray(0, 4).equals(zipMagic)) throw notZip();
    }
    await insertImportChunk(db, importId, seq++, data);
  };
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxExportBytes) {
      throw new AppError('bad_request', {
        message: 'export upload too large',
        userMessage: 'The file is larger than the 1 GB limit.',
      });
    }
    pending.push(chunk);
    pendingBytes += chunk.length;
    // Check the signature as soon as 4 bytes are here, before the first chunk is written.
    if (!checked && pendingBytes >= 4) {
      const head = Buffer.concat(pending).subarray(0, 4);
      if (!head.equals(zipMagic)) throw notZip();
      checked = true;
    }
    if (pendingBytes >= chunkBytes) await flush();
  }
  await flush();
  if (total === 0) throw notZip();
  return total;
}

function notZip(): AppError {
  return new AppError('bad_request', {
    message: 'export upload is not a ZIP',
    userMessage: 'That file is not a ZIP archive. Upload the export ZIP exactly as Strava sent it.',
  });
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Threshold</title></head><body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem"><h1>${title}</h1>${body}</body></html>`;
}

// Served as a file: helmet's Content-Security-Policy allows same-origin scripts, not inline ones.
const uploadScript = `document.getElementById('upload').addEventListener('submit', async (event) => {
  event.preventDefault();
  const file = document.getElementById('file').files[0];
  const status = document.getElementById('status');
  if (!file) return;
  status.textContent = 'Uploading ' + Math.round(file.size / 1048576) + ' MB…';
  try {
    const response = await fetch(location.pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/zip', 'x-file-name': file.name.replace(/[^\\w .()-]/g, '_') },
      body: file,
    });
    const answer = await response.json();
    status.textContent = answer.message || (response.ok ? 'Uploaded.' : 'The upload failed.');
    if (response.ok) document.getElementById('upload').remove();
  } catch {
    status.textContent = 'The upload failed; check your connection and run /import for a new link.';
  }
});
`;
