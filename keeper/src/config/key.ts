/**
 * Where the keeper's signing key comes from: `BALLAST_KEEPER_KEY` (hex), or an encrypted JSON
 * keystore (`BALLAST_KEYSTORE`) with its password in a file (`BALLAST_KEYSTORE_PASSWORD_FILE`),
 * or, on local networks only, the local keeper account the deploy set up. The key is wrapped in
 * `Secret` so that logging or serialising it by accident prints "[redacted]".
 */
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import type { ConfigIssue } from "../errors";

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The only way to read the secret; call it where it is used, never where it is logged. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return "[redacted]";
  }
  toJSON(): string {
    return "[redacted]";
  }
  [inspect.custom](): string {
    return "[redacted]";
  }
}

export type KeySource =
  | { kind: "private-key"; key: Secret }
  | { kind: "keystore"; file: string; json: Secret; password: Secret }
  | { kind: "local-account" };

export const LOCAL_NETWORKS = new Set(["hardhat", "localhost"]);

const HEX_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

function readSecretFile(file: string, field: string, issues: ConfigIssue[]): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    issues.push({ field, message: `cannot read ${file} (${code ?? "error"})` });
    return undefined;
  }
}

/** Resolves the key source from the environment; messages never include the key or password. */
export function keySourceFromEnv(
  env: NodeJS.ProcessEnv,
  network: string,
): { source?: KeySource; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const hexKey = env.BALLAST_KEEPER_KEY;
  const keystore = env.BALLAST_KEYSTORE;
  const passwordFile = env.BALLAST_KEYSTORE_PASSWORD_FILE;

  if (hexKey !== undefined && keystore !== undefined) {
    issues.push({
      field: "BALLAST_KEEPER_KEY",
      message: "set either BALLAST_KEEPER_KEY or BALLAST_KEYSTORE, not both",
    });
    return { issues };
  }
  if (hexKey !== undefined) {
    const trimmed = hexKey.trim();
    if (!HEX_KEY.test(trimmed)) {
      issues.push({
        field: "BALLAST_KEEPER_KEY",
        message: `must be a 32-byte hex private key (64 hex digits, optional 0x); got ${trimmed.length} characters`,
      });
      return { issues };
    }
    return {
      source: { kind: "private-key", key: new Secret(trimmed.startsWith("0x") ? trimmed : `0x${trimmed}`) },
      issues,
    };
  }
  if (keystore !== undefined || passwordFile !== undefined) {
    if (keystore === undefined)
      issues.push({
        field: "BALLAST_KEYSTORE",
        message: "BALLAST_KEYSTORE_PASSWORD_FILE is set but BALLAST_KEYSTORE is not",
      });
    if (passwordFile === undefined)
      issues.push({
        field: "BALLAST_KEYSTORE_PASSWORD_FILE",
        message: "BALLAST_KEYSTORE is set but BALLAST_KEYSTORE_PASSWORD_FILE is not",
      });
    if (issues.length > 0) return { issues };
    const json = readSecretFile(keystore!, "BALLAST_KEYSTORE", issues);
    const password = readSecretFile(passwordFile!, "BALLAST_KEYSTORE_PASSWORD_FILE", issues);
    if (json !== undefined) {
      try {
        const parsed = JSON.parse(json) as { crypto?: unknown; Crypto?: unknown };
        if (!parsed.crypto && !parsed.Crypto)
          issues.push({
            field: "BALLAST_KEYSTORE",
            message: `${keystore} is not an encrypted JSON keystore (no "crypto" section)`,
          });
      } catch {
        issues.push({ field: "BALLAST_KEYSTORE", message: `${keystore} is not valid JSON` });
      }
    }
    if (issues.length > 0 || json === undefined || password === undefined) return { issues };
    // A trailing newline from `echo pw > file` is not part of the password.
    return {
      source: {
        kind: "keystore",
        file: keystore!,
        json: new Secret(json),
        password: new Secret(password.replace(/\r?\n$/, "")),
      },
      issues,
    };
  }
  if (LOCAL_NETWORKS.has(network)) return { source: { kind: "local-account" }, issues };
  issues.push({
    field: "BALLAST_KEEPER_KEY",
    message: `no key for network "${network}": set BALLAST_KEEPER_KEY, or BALLAST_KEYSTORE and BALLAST_KEYSTORE_PASSWORD_FILE`,
  });
  return { issues };
}
