/**
 * A client's connection to a server: requests go out as lines, replies
 * come back through the one reply reader and are handed to the request
 * that waits for them, in order.
 *
 * @module
 */

import { type Clock, given, writeAll } from "../common/mod.ts";
import {
  Code,
  parseGreeting,
  ProtocolError,
  type Reply,
  ReplyReader,
} from "../wire/mod.ts";
import {
  type ConnectConfig,
  DOWNLOADS_DIR,
  MAX_DOWNLOAD_BYTES,
  MAX_NUMBERED,
} from "./config.ts";
import {
  download,
  type DownloadOptions,
  type DownloadResult,
  type PayloadHandler,
} from "./download.ts";
import { ConnectionClosedError, ReplyError } from "./errors.ts";
import { StallWatch } from "./stall.ts";

/** What a {@linkcode Session} puts up with, and its clock. */
export interface SessionOptions extends
  Pick<
    ConnectConfig,
    "replyTimeoutMs" | "speedLimit" | "speedTimeMs" | "replyLimits"
  > {
  /** Where the time comes from. */
  clock: Clock;
}

/**
 * Takes each line of a reply as it arrives: the bytes of its text (a view,
 * valid only during the call) and its code.
 */
export type LineHandler = (text: Uint8Array, code: number) => void;

interface Waiter {
  resolve(reply: Reply): void;
  reject(error: Error): void;
  onPayload?: PayloadHandler;
  onLine?: LineHandler;
}

const encoder = new TextEncoder();

/** A connection to an ackline server, greeted and named. */
export class Session {
  /** The name the server gave this client, e.g. `Client01`. */
  name = "";
  /** Resolves with the reason once the connection has ended. */
  readonly closed: Promise<string>;

  readonly #conn: Deno.Conn<Deno.NetAddr>;
  readonly #replies: ReplyReader;
  readonly #waiters: Waiter[] = [];
  readonly #watch: StallWatch;
  #closeReason: string | null = null;
  #closedByUs = false;
  #unaskedText: string | null = null;
  #closeCause: unknown = undefined;
  #bytesIn = 0;
  readonly #clock: Clock;

  /** Use {@linkcode connect} from `client.ts`. */
  constructor(conn: Deno.Conn<Deno.NetAddr>, options: SessionOptions) {
    this.#conn = conn;
    this.#replies = new ReplyReader(
      { read: (buf) => this.#read(buf) },
      options.replyLimits,
    );
    this.#clock = options.clock;
    this.#watch = new StallWatch(
      options,
      {
        busy: () => this.#waiters.length > 0,
        inPayload: () => this.#replies.payload !== null,
        lines: () => this.#replies.linesRead,
        bytes: () => this.#bytesIn,
      },
      (reason) => {
        this.#closeReason ??= reason;
        this.#closeConn();
      },
    );
    this.closed = this.#pump();
  }

  /** Waits for the greeting; throws if the server turned the client away. */
  async greeting(): Promise<Reply> {
    const reply = await this.#expect();
    const name = reply.code === Code.Greeting
      ? parseGreeting(reply.lines[0])
      : null;
    if (name === null) throw new ReplyError(reply);
    this.name = name;
    return reply;
  }

  /**
   * Sends one line and resolves with its reply (error replies included).
   * With `onLine`, each line of the reply goes there as it arrives and the
   * reply resolves without lines, so a long reply is never held whole.
   *
   * @throws {ConnectionClosedError} if the connection ends first.
   */
  async request(line: string, onLine?: LineHandler): Promise<Reply> {
    const reply = this.#expect(undefined, onLine);
    await this.#send(line, reply);
    return await reply;
  }

  /**
   * Sends one line whose reply may carry raw bytes: `onPayload` gets the
   * header and says where the bytes go. Resolves with the reply after the
   * bytes (or the only reply, when none came).
   */
  async fetch(line: string, onPayload: PayloadHandler): Promise<Reply> {
    const reply = this.#expect(onPayload);
    await this.#send(line, reply);
    return await reply;
  }

  /**
   * Downloads `name` into a folder (`./downloads` unless told), verifying
   * size and SHA-256 before the file appears under its final name (see
   * {@linkcode download}). A file over 16 GiB is refused unless told.
   */
  download(
    name: string,
    options: Partial<DownloadOptions> = {},
  ): Promise<DownloadResult> {
    return download(this, name, {
      dir: DOWNLOADS_DIR,
      maxBytes: MAX_DOWNLOAD_BYTES,
      maxNumbered: MAX_NUMBERED,
      clock: this.#clock,
      ...given(options),
    });
  }

  /** Whether the connection has ended. */
  get isClosed(): boolean {
    return this.#closeReason !== null;
  }

  /** Closes the connection; pending requests fail. */
  async close(): Promise<void> {
    this.#closedByUs ||= this.#closeReason === null;
    this.#closeConn();
    await this.closed;
  }

  #expect(onPayload?: PayloadHandler, onLine?: LineHandler): Promise<Reply> {
    if (this.#closeReason !== null) {
      return Promise.reject(new ConnectionClosedError(this.#closeReason));
    }
    return new Promise<Reply>((resolve, reject) => {
      this.#waiters.push({ resolve, reject, onPayload, onLine });
      this.#watch.arm();
    });
  }

  /**
   * Sends `line`. A connection that has ended fails the send with the
   * reason it ended, as the reply it would have had fails.
   */
  async #send(line: string, reply: Promise<Reply>): Promise<void> {
    try {
      await writeAll(this.#conn, encoder.encode(line + "\n"));
    } catch (error) {
      // The reply fails too, and is what the caller hears of.
      reply.catch(() => {});
      if (this.#closeReason !== null) {
        throw new ConnectionClosedError(this.#closeReason);
      }
      this.#closeConn();
      throw new ConnectionClosedError(
        error instanceof Error ? error.message : String(error),
      );
    }
  }

  #closeConn(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  async #read(buf: Uint8Array): Promise<number | null> {
    const n = await this.#conn.read(buf);
    this.#bytesIn += n ?? 0;
    return n;
  }

  /**
   * Reads replies until the connection ends, handing each line to the
   * request that waits for it.
   */
  async #pump(): Promise<string> {
    const replies = this.#replies;
    let lines: string[] = [];
    try {
      for (;;) {
        while (replies.nextLine()) {
          const waiter = this.#waiters[0];
          if (waiter === undefined) {
            this.#unasked(replies.code, replies.text(), replies.last);
            continue;
          }
          if (waiter.onLine) waiter.onLine(replies.textBytes(), replies.code);
          // A download's header lines are the reader's (see `payload`): the
          // server's words on its way there are not kept, however many.
          else if (replies.code !== Code.FileHeader) lines.push(replies.text());
          if (!replies.last) continue;
          const reply = { code: replies.code, lines };
          lines = [];
          if (replies.payload !== null) {
            await this.#receivePayload();
          } else {
            this.#waiters.shift();
            waiter.resolve(reply);
          }
        }
        if (!await replies.fill()) break;
      }
      this.#closeReason ??= "Server closed the connection";
    } catch (error) {
      this.#closeCause = error;
      this.#closeReason ??= this.#closedByUs
        ? "Connection closed"
        : error instanceof Deno.errors.ConnectionReset
        ? "Server reset the connection"
        : error instanceof Error
        ? error.message
        : String(error);
    } finally {
      this.#watch.stop();
      this.#closeConn();
      for (const waiter of this.#waiters.splice(0)) {
        waiter.reject(
          new ConnectionClosedError(this.#closeReason!, {
            cause: this.#closeCause,
          }),
        );
      }
    }
    return this.#closeReason!;
  }

  /**
   * A line nobody asked for: only the server's notice that it is about to
   * close (shutting down, idle) may come so; its first line is the reason.
   */
  #unasked(code: number, text: string, last: boolean): void {
    if (code !== Code.Closing) {
      throw new ProtocolError({ kind: "unasked-reply", code });
    }
    this.#unaskedText ??= text;
    if (last) this.#closeReason = this.#unaskedText;
  }

  async #receivePayload(): Promise<void> {
    const onPayload = this.#waiters[0]?.onPayload;
    if (!onPayload) throw new ProtocolError({ kind: "unasked-payload" });
    const sink = await onPayload(this.#replies.payload!);
    await this.#replies.readPayload(sink);
  }
}
