/**
 * The logging surface the resilience layer needs. pino's Logger satisfies it, so the daemon passes
 * its one logger in; library code never prints by itself.
 */
export interface KeeperLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** For callers (tests, tools) that want the layer silent. */
export const silentLogger: KeeperLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
