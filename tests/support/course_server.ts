/**
 * A server written as a CP372 course server is, in miniature: one read is
 * one message (or a line, if told), names Client01 … , a limit of 3, and
 * words of its own instead of ackline's codes. Each flaw a grader must
 * catch can be switched on.
 *
 * @module
 */

/** The flaws a course server may have; none by default. */
export interface CourseFlaws {
  /** Messages end with a line end (the server reads lines). */
  needsLineEnd?: boolean;
  /** It says nothing on connecting (so no name is seen). */
  noGreeting?: boolean;
  /** It greets with the bare name and takes the first read as it, sent back. */
  wantsNameBack?: boolean;
  /** The first client's number (1 is right). */
  firstNumber?: number;
  /** How far each next number goes (1 is right). */
  numberStep?: number;
  /** It echoes without ACK. */
  noAck?: boolean;
  /** It serves any number of clients. */
  noLimit?: boolean;
  /** Over the limit it says nothing and keeps the connection. */
  silentWhenFull?: boolean;
  /** `exit` closes the connection but keeps the slot taken. */
  exitKeepsSlot?: boolean;
  /** `status` names the clients with no times. */
  statusWithoutTimes?: boolean;
  /** A path out of the folder gets the file there (a server's source). */
  servesTraversal?: boolean;
  /** Files arrive with one byte changed. */
  corruptsFiles?: boolean;
  /** `list` is answered with an error, as an unknown command. */
  listRefused?: boolean;
  /** Of the lines one read brings, it answers the first only. */
  firstLineOnly?: boolean;
  /** Bytes that are not UTF-8 end the connection and keep its slot. */
  diesOnInvalidUtf8?: boolean;
  /**
   * A client is greeted only once the one before it has sent something:
   * one that says nothing stops everyone after it.
   */
  greetsInTurn?: boolean;
}

/** A running course server. */
export interface CourseServer extends AsyncDisposable {
  port: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The time of day as the course's servers print it. */
function clockTime(date: Date): string {
  return date.toTimeString().slice(0, 8);
}

/** Starts a course server serving `files` on a free port of 127.0.0.1. */
export function startCourseServer(
  files: Record<string, Uint8Array>,
  flaws: CourseFlaws = {},
): CourseServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const records: { name: string; from: Date; to: Date | null }[] = [];
  const conns = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  let active = 0;
  let count = 0;
  // With `greetsInTurn`: resolves once the last client greeted has spoken.
  let turn = Promise.resolve();

  async function reply(conn: Deno.Conn, bytes: Uint8Array | string) {
    const data = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
    let at = 0;
    while (at < data.length) at += await conn.write(data.subarray(at));
  }

  function answer(message: string): Uint8Array | string {
    if (message === "status") {
      return records.map((r) =>
        flaws.statusWithoutTimes
          ? r.name
          : `${r.name} connected ${clockTime(r.from)} disconnected ${
            r.to === null ? "-" : clockTime(r.to)
          }`
      ).join("\n");
    }
    if (message === "list") {
      return flaws.listRefused
        ? "Error: unknown command"
        : Object.keys(files).join("\n");
    }
    const name = message.replace(/^get /, "");
    if (name.includes("..") || name.startsWith("/")) {
      return flaws.servesTraversal
        ? "import socket\n\ndef main():\n    pass\n"
        : "File not found";
    }
    const file = files[name];
    if (file !== undefined) {
      if (!flaws.corruptsFiles) return file;
      const changed = file.slice();
      changed[changed.length >> 1] ^= 0xff;
      return changed;
    }
    return flaws.noAck ? message : `${message}ACK`;
  }

  async function serve(conn: Deno.Conn) {
    if (active >= 3 && !flaws.noLimit) {
      if (flaws.silentWhenFull) {
        const buffer = new Uint8Array(1024);
        while (await conn.read(buffer).catch(() => null) !== null) {
          // Takes every byte and says nothing.
        }
        return;
      }
      await reply(conn, "Server is full. Please try again later.");
      return;
    }
    active++;
    let slotKept = false;
    const record = {
      name: `Client${
        String((flaws.firstNumber ?? 1) + count++ * (flaws.numberStep ?? 1))
          .padStart(2, "0")
      }`,
      from: new Date(),
      to: null as Date | null,
    };
    records.push(record);
    let spoke = () => {};
    if (flaws.greetsInTurn) {
      const previous = turn;
      turn = new Promise((resolve) => spoke = resolve);
      await previous;
    }
    try {
      const buffer = new Uint8Array(4096);
      if (flaws.wantsNameBack) {
        await reply(conn, record.name);
        if (await conn.read(buffer) === null) return;
      } else if (!flaws.noGreeting) {
        await reply(conn, `Welcome ${record.name}`);
      }
      let pending = "";
      for (;;) {
        const n = await conn.read(buffer);
        spoke();
        if (n === null) break;
        let chunk: string;
        try {
          chunk = new TextDecoder("utf-8", { fatal: true })
            .decode(buffer.subarray(0, n));
        } catch {
          if (flaws.diesOnInvalidUtf8) {
            slotKept = true;
            return;
          }
          chunk = decoder.decode(buffer.subarray(0, n));
        }
        let messages: string[];
        if (flaws.needsLineEnd) {
          pending += chunk;
          const lines = pending.split("\n");
          pending = lines.pop() ?? "";
          messages = flaws.firstLineOnly ? lines.slice(0, 1) : lines;
        } else {
          messages = [chunk];
        }
        for (const message of messages.map((m) => m.replace(/\r$/, ""))) {
          if (message === "exit") {
            slotKept = flaws.exitKeepsSlot ?? false;
            return;
          }
          await reply(conn, answer(message));
        }
      }
    } catch {
      // A reset ends it as a close does.
    } finally {
      spoke();
      record.to = new Date();
      if (!slotKept) active--;
    }
  }

  const accepting = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      const task = serve(conn).finally(() => {
        conns.delete(conn);
        try {
          conn.close();
        } catch {
          // Closed already.
        }
      });
      tasks.add(task);
      task.finally(() => tasks.delete(task));
    }
  })().catch(() => {});

  return {
    port: (listener.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Closed already.
        }
      }
      await accepting;
      await Promise.all(tasks);
    },
  };
}
