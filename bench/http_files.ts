/**
 * A minimal HTTP file server on the runtime's own `Deno.serve`: the files
 * of one folder, each streamed from disk with its length, for the download
 * benchmark's `curl` row. Usage: `http_files.ts DIR`; it prints its port.
 *
 * @module
 */

const [dir] = Deno.args;

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(`Listening on port ${port}`),
}, async (request) => {
  const name = decodeURIComponent(new URL(request.url).pathname.slice(1));
  if (name === "" || name.includes("/") || name.startsWith(".")) {
    return new Response("Not found\n", { status: 404 });
  }
  try {
    const file = await Deno.open(`${dir}/${name}`);
    const { size } = await file.stat();
    return new Response(file.readable, {
      headers: { "content-length": String(size) },
    });
  } catch {
    return new Response("Not found\n", { status: 404 });
  }
});
