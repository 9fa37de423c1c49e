import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP server that serves byte buffers by path, as Discord's CDN serves attachments. */
export async function startFileServer(): Promise<{
  put: (name: string, data: Buffer, options?: { contentLength?: boolean }) => string;
  close: () => Promise<void>;
}> {
  const files = new Map<string, { data: Buffer; contentLength: boolean }>();
  const server: Server = createServer((req, res) => {
    const file = files.get(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1)));
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      ...(file.contentLength ? { 'content-length': String(file.data.length) } : {}),
    });
    // Written in pieces so a capped reader can stop part-way.
    for (let i = 0; i < file.data.length; i += 1 << 20) res.write(file.data.subarray(i, i + (1 << 20)));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    put: (name, data, options = {}) => {
      files.set(name, { data, contentLength: options.contentLength ?? true });
      return `http://127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
