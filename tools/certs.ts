/**
 * A test authority and a server certificate for 127.0.0.1 and localhost,
 * made with `openssl` at test time (a fresh machine has it), and a second
 * authority that signed nothing of ours.
 *
 * @module
 */

import { cannotRun } from "./programs.ts";

/** PEM text of what a TLS test needs. */
export interface TestCertificates {
  /** The authority that signed the server's certificate. */
  ca: string;
  /** An authority that did not. */
  otherCa: string;
  /** The server's certificate. */
  cert: string;
  /** The server's private key. */
  key: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const { success, stderr } = await new Deno.Command("openssl", {
    args,
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(
      `openssl ${args[0]} failed: ${new TextDecoder().decode(stderr)}`,
    );
  }
}

/** Why TLS tests cannot run here, or `null` when they can. */
export const NO_OPENSSL: string | null = await cannotRun("openssl", [
  "version",
]);

/** Makes the certificates in a temporary folder, removed after. */
export async function makeCertificates(): Promise<TestCertificates> {
  const dir = await Deno.makeTempDir({ prefix: "ackline-tls-" });
  try {
    for (const name of ["ca", "other"]) {
      await openssl([
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        `/CN=ackline test ${name}`,
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.pem`,
      ], dir);
    }
    await openssl([
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
    ], dir);
    await Deno.writeTextFile(
      `${dir}/ext.cnf`,
      "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    );
    await openssl([
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      "ext.cnf",
      "-out",
      "server.pem",
    ], dir);
    const read = (name: string) => Deno.readTextFile(`${dir}/${name}`);
    return {
      ca: await read("ca.pem"),
      otherCa: await read("other.pem"),
      cert: await read("server.pem"),
      key: await read("server.key"),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
