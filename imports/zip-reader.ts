import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/** A ZIP on disk read one entry at a time (yauzl with lazy entries): memory stays bounded by one entry. */
export interface ZipReader {
  /** Every entry in central-directory order; the archive closes when iteration ends. */
  entries: () => AsyncGenerator<Entry>;
  /** An entry's bytes, refused past `maxBytes` (its declared size is checked first, then the stream). */
  read: (entry: Entry, maxBytes: number) => Promise<Buffer>;
  close: () => void;
}

export class ZipEntryTooLargeError extends Error {
  override name = 'ZipEntryTooLargeError';
}

export async function openZip(path: string): Promise<ZipReader> {
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false }, (error, file) =>
      error ? reject(error) : resolve(file),
    ),
  );
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    zip.close();
  };
  const next = () =>
    new Promise<Entry | null>((resolve, reject) => {
      const onEntry = (entry: Entry) => settle(() => resolve(entry));
      const onEnd = () => settle(() => resolve(null));
      const onError = (error: Error) => settle(() => reject(error));
      const settle = (fn: () => void) => {
        zip.off('entry', onEntry);
        zip.off('end', onEnd);
        zip.off('error', onError);
        fn();
      };
      zip.on('entry', onEntry);
      zip.on('end', onEnd);
      zip.on('error', onError);
      zip.readEntry();
    });
  return {
    entries: async function* () {
      try {
        for (let entry = await next(); entry; entry = await next()) yield entry;
      } finally {
        close();
      }
    },
    read: async (entry, maxBytes) => {
      if (entry.uncompressedSize > maxBytes) {
        throw new ZipEntryTooLargeError(`${entry.fileName} inflates to ${entry.uncompressedSize} bytes`);
      }
      const stream = await new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, (error, s) => (error ? reject(error) : resolve(s))),
      );
      const chunks: Buffer[] = [];
      let total = 0;
      // yauzl also stops a stream that inflates past its declared size (a lying header).
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > maxBytes) {
          stream.destroy();
          throw new ZipEntryTooLargeError(`${entry.fileName} inflates past ${maxBytes} bytes`);
        }
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    },
    close,
  };
}
