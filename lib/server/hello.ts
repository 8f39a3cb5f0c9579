/**
 * `hello <name> <program>/<version> [<token>]`: the client introduces
 * itself, and presents its token when the server wants one.
 *
 * @module
 */

import { escapeControl } from "../common/mod.ts";
import { Code, COMMANDS, helloForm, type Introduction } from "../wire/mod.ts";
import type { CommandResult, RequestContext } from "./context.ts";

/**
 * Answers `hello`: records the program the client says it is, and checks
 * its token where one is needed, when it is its turn (see
 * `token_guard.ts`): an address still paying for wrong tokens is told how
 * long it has left. Too many wrong tokens close the connection. No token
 * reaches a reply or the log.
 */
export async function introduce(
  request: RequestContext,
  introduction: Introduction,
): Promise<CommandResult> {
  const { out, client, server, session, signal } = request;
  if (introduction.name !== client) {
    out.line(Code.BadArguments, `Usage: ${helloForm(client, false)}`);
    return;
  }
  const { token } = server;
  // A token is checked once; a later `hello` only says who the client is.
  const checking = token !== null && !session.authenticated;
  if (checking) {
    if (introduction.token === null) {
      out.line(Code.AuthRequired, authRequiredText(client));
      return;
    }
    const { host } = request;
    const verdict = await token.judge(host, introduction.token, signal);
    // Stopped while it waited: the session ends with the reason it was given.
    if (verdict === null) return;
    if (verdict.kind === "later") {
      // Not judged, so no try is spent.
      out.line(
        Code.AuthFailed,
        `Too many wrong tokens from ${host}; the next is judged in ${
          Math.ceil(verdict.waitMs / 1000)
        } s`,
      );
      return;
    }
    if (verdict.kind === "wrong") {
      const tries = ++session.wrongTokens;
      const { maxTokenTries } = server.config;
      const waitS = verdict.nextWaitMs / 1000;
      server.log(
        "WARNING",
        `${client} sent a wrong token (${tries} of ${maxTokenTries}); ${host} may give the next in ${waitS} s`,
        { client, tries, host, nextWaitMs: verdict.nextWaitMs },
      );
      if (tries >= maxTokenTries) {
        session.closing = { kind: "wrong-tokens", tries };
        out.closing(session.closing);
        return "close";
      }
      const left = maxTokenTries - tries;
      out.line(
        Code.AuthFailed,
        `Wrong token; ${left} more ${left === 1 ? "try" : "tries"}`,
      );
      return;
    }
    session.authenticated = true;
  }
  const agent = escapeControl(introduction.agent);
  server.cache.introduce(client, agent);
  server.log(
    "HELLO",
    `${client} is ${agent}${checking ? ", with the right token" : ""}`,
    { client, agent, token: checking },
  );
  out.line(COMMANDS.hello.code, `Hello ${client}`);
}

/** The `530` to a request before the token, on a server that wants one. */
export function authRequiredText(client: string): string {
  return `This server wants a token first: ${helloForm(client, true)}`;
}
