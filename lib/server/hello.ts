/**
 * `hello <name> <program>/<version> [<token>]`: the client introduces
 * itself, and presents its token when the server wants one.
 *
 * @module
 */

import { escapeControl } from "../common/mod.ts";
import { parseIntroduction } from "../wire/mod.ts";
import type { CommandResult, RequestContext } from "./context.ts";

/** Waits `ms`, or less if `signal` aborts (the connection is stopping). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/**
 * Answers `hello`: records the program the client says it is, and checks
 * its token where one is needed. A wrong token is answered only after a
 * fixed delay, and too many close the connection. No token reaches a
 * reply or the log.
 */
export async function introduce(
  request: RequestContext,
  args: string,
): Promise<CommandResult> {
  const { out, client, server, session, signal } = request;
  const introduction = parseIntroduction(args);
  if (introduction === null || introduction.name !== client) {
    out.helloUsage(client);
    return;
  }
  const { token } = server;
  if (token !== null && !session.authenticated) {
    if (introduction.token === null) {
      out.authRequired(client);
      return;
    }
    if (!token.matches(introduction.token)) {
      const tries = ++session.wrongTokens;
      server.log(
        "WARNING",
        `${client} sent a wrong token (${tries} of ${server.maxTokenTries})`,
        { client, tries },
      );
      await pause(server.wrongTokenDelayMs, signal);
      if (tries >= server.maxTokenTries) {
        out.closing({ kind: "wrong-tokens", tries });
        session.closeWhy = `wrong token ${tries} times`;
        return "close";
      }
      out.authFailed(server.maxTokenTries - tries);
      return;
    }
    session.authenticated = true;
  }
  const agent = escapeControl(introduction.agent);
  server.cache.introduce(client, agent);
  server.log(
    "HELLO",
    `${client} is ${agent}${token === null ? "" : ", with the right token"}`,
    { client, agent, token: token !== null },
  );
  out.hello(client);
}
