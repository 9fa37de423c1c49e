import { createServer, type Server, type Socket } from 'node:net';

/**
 * An HTTP/1.0-style upstream on loopback: it answers each request with a Content-Length body and
 * closes the connection right after it (as some proxies do). `answer` picks the status and JSON body.
 */
export async function startConnectionClosingUpstream(
  answer: (method: string, path: string) => { status: number; body: unknown },
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const [method = 'GET', path = '/'] = head.split(' ');
      head = '';
      requests++;
      const { status, body } = answer(method, path);
      const payload = Buffer.from(JSON.stringify(body));
      socket.write(
        `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Status'}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${payload.length}\r\nConnection: close\r\n\r\n`,
      );
      socket.write(payload);
      socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
