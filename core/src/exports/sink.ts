import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * The byte-counting front of an export's output. Writers await `write` so a slow reader (HTTP client, S3 upload)
 * slows the database reads instead of letting output pile up in memory.
 */
export class Sink {
  readonly stream = new PassThrough({ highWaterMark: 256 * 1024 });
  bytes = 0;
  private readonly done: Promise<void>;

  constructor(out: Writable) {
    this.stream.on('data', (c: Buffer) => {
      this.bytes += c.length;
    });
    this.done = pipeline(this.stream, out);
    // pipeline's promise carries the error; this stops an unhandled rejection if a writer throws first.
    this.done.catch(() => {});
  }

  async write(chunk: string | Buffer): Promise<void> {
    if (!this.stream.write(chunk)) await Promise.race([once(this.stream, 'drain'), this.done]);
  }

  /** Waits for the stream's buffer to empty (for writers that push through a library's own stream). */
  async drained(): Promise<void> {
    if (this.stream.writableNeedDrain) await Promise.race([once(this.stream, 'drain'), this.done]);
  }

  async end(): Promise<void> {
    // Library writers (exceljs, pdfkit) end the stream themselves when they finish.
    if (!this.stream.writableEnded) this.stream.end();
    await this.done;
  }

  /** Tears the output down after a failure so the caller's stream does not hang half-written. */
  fail(err: Error): void {
    this.stream.destroy(err);
  }
}
