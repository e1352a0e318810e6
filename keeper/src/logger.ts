/**
 * The one logger: pino JSON lines on stdout, written synchronously so nothing is lost on exit.
 * Anything named like a secret is redacted as a second line of defence (the key itself is held in
 * a `Secret` that serialises as "[redacted]").
 */
import pino, { type Logger } from "pino";

export type { Logger };

export const REDACT_PATHS = [
  "key",
  "privateKey",
  "password",
  "mnemonic",
  "secret",
  "*.key",
  "*.privateKey",
  "*.password",
  "*.mnemonic",
  "*.secret",
];

export function createLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination({ dest: 1, sync: true }),
): Logger {
  return pino(
    {
      level,
      base: { service: "ballast-keeper" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
