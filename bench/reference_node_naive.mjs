// The naive Node.js reference: ackline's echo and download written the way
// the Node `net` docs suggest, one write per reply line and no tuning.
// Shown as an extra row only; `reference_node.mjs` is the one ackline is
// held to.
//
// Run: node reference_node_naive.mjs [port] [files-dir]   (prints "Listening on port N")
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

const port = Number(process.argv[2] ?? 0);
const filesDir = process.argv[3] ?? ".";
let clients = 0;

const server = net.createServer((socket) => {
  clients++;
  socket.setNoDelay(true);
  socket.setEncoding("utf8");
  socket.write(`220 Connected as Client${String(clients).padStart(2, "0")}\n`);
  let pending = "";
  let paused = false;
  const queue = [];

  function handle(line) {
    if (line.startsWith("get ")) {
      const name = path.basename(line.slice(4).trim());
      const file = path.join(filesDir, name);
      let size;
      try {
        size = fs.statSync(file).size;
      } catch {
        socket.write(`550 No such file: ${name}\n`);
        return;
      }
      socket.write(`150 ${size} ${name}\n`);
      paused = true;
      const stream = fs.createReadStream(file);
      stream.pipe(socket, { end: false });
      stream.on("end", () => {
        socket.write("226 done\n");
        paused = false;
        while (!paused && queue.length) handle(queue.shift());
      });
      return;
    }
    socket.write(`250 ${line}ACK\n`);
  }

  socket.on("data", (chunk) => {
    pending += chunk;
    let index;
    while ((index = pending.indexOf("\n")) >= 0) {
      let line = pending.slice(0, index);
      pending = pending.slice(index + 1);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (paused) queue.push(line);
      else handle(line);
    }
  });
  socket.on("error", () => {});
});

server.listen(port, "127.0.0.1", () => {
  console.log(`Listening on port ${server.address().port}`);
});
