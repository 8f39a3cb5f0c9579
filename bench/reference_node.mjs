// The Node.js reference ackline is held to: its echo and download written
// as a competent Node author would, on `net` alone. Bytes stay Buffers (no
// string decoding), every line gets the same work as in ackline (CRLF or
// LF, a UTF-8 check, a match against the request words), and the replies
// to one 'data' event leave in one write. A download is piped in 1 MiB
// reads and ends with its SHA-256, computed on the way the first time and
// remembered for the same version of the file after, as ackline does.
//
// Run: node reference_node.mjs PORT FILES-DIR GRAMMAR-JSON   (prints "Listening on port N")
import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

const port = Number(process.argv[2] ?? 0);
const filesDir = process.argv[3] ?? ".";
const LF = 10;
const CR = 13;
const SPACE = 32;
const ECHO = Buffer.from("250 ");
const ACK = Buffer.from("ACK\n");
const NOT_UTF8 = Buffer.from("500 Line is not valid UTF-8; it was ignored\n");
const NOT_HERE = Buffer.from("502 Not offered by this reference\n");
// Request words by their first byte, as in ackline, each with the test of
// what may follow it: a line that fails it is a message to echo. The words
// and their rules are ackline's command table, given by the benchmark.
const GRAMMAR = JSON.parse(process.argv[4] ?? "[]");
const alone = (rest) => rest.length === 0;
const WORDS = [];
for (const { word, form, pattern } of GRAMMAR) {
  const matches = pattern === null ? null : new RegExp(pattern);
  const accepts = form === "none"
    ? alone
    : matches === null
    ? () => true
    : (rest) =>
      rest.length > 1 && matches.test(rest.toString("latin1", 1).trim());
  const bytes = Buffer.from(word);
  (WORDS[bytes[0]] ??= []).push({ word, bytes, accepts });
}

/** The request `line` makes, or `null` for a message to echo. */
function requestWord(line) {
  const candidates = WORDS[line[0]];
  if (candidates === undefined) return null;
  for (const { word, bytes, accepts } of candidates) {
    if (line.length < bytes.length) continue;
    if (line.length > bytes.length && line[bytes.length] !== SPACE) continue;
    let i = 1;
    while (i < bytes.length && line[i] === bytes[i]) i++;
    if (i === bytes.length && accepts(line.subarray(bytes.length))) {
      return word;
    }
  }
  return null;
}

// SHA-256 of files already sent, by path and version.
const digests = new Map();

let clients = 0;

const server = net.createServer((socket) => {
  clients++;
  socket.setNoDelay(true);
  socket.write(`220 Connected as Client${String(clients).padStart(2, "0")}\n`);
  let pending = null; // bytes of a line not yet ended
  let sending = false; // a download is streaming; lines wait in `queue`
  const queue = [];

  // Answers `lines` in one write; a download answers the lines before it,
  // and the ones after it wait in `queue` until it ends.
  function answer(lines) {
    const out = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (!isUtf8(line)) {
        out.push(NOT_UTF8);
        continue;
      }
      const word = requestWord(line);
      if (word === null) out.push(ECHO, line, ACK);
      else if (word === "get") {
        if (out.length > 0) socket.write(Buffer.concat(out));
        out.length = 0;
        download(line.subarray(4).toString().trim());
        if (sending) {
          for (let j = i + 1; j < lines.length; j++) queue.push(lines[j]);
          return;
        }
      } else out.push(NOT_HERE);
    }
    if (out.length > 0) socket.write(Buffer.concat(out));
  }

  function download(requested) {
    const name = path.basename(requested);
    const file = path.join(filesDir, name);
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      socket.write(`550 No such file: ${name}\n`);
      return;
    }
    socket.write(`150 ${stat.size} ${name}\n`);
    sending = true;
    const version = `${file}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    const known = digests.get(version);
    const hash = known === undefined ? createHash("sha256") : null;
    const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    if (hash !== null) stream.on("data", (chunk) => hash.update(chunk));
    stream.pipe(socket, { end: false });
    stream.on("end", () => {
      const digest = known ?? hash.digest("hex");
      digests.set(version, digest);
      socket.write(`226 SHA-256 ${digest}\n`);
      sending = false;
      answer(queue.splice(0));
    });
  }

  socket.on("data", (chunk) => {
    const bytes = pending === null ? chunk : Buffer.concat([pending, chunk]);
    const lines = sending ? queue : [];
    let start = 0;
    let lf;
    while ((lf = bytes.indexOf(LF, start)) >= 0) {
      const end = lf > start && bytes[lf - 1] === CR ? lf - 1 : lf;
      lines.push(bytes.subarray(start, end));
      start = lf + 1;
    }
    pending = start < bytes.length ? Buffer.from(bytes.subarray(start)) : null;
    if (!sending) answer(lines);
  });
  socket.on("error", () => {});
});

server.listen(port, "127.0.0.1", () => {
  console.log(`Listening on port ${server.address().port}`);
});
