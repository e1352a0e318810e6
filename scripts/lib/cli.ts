/**
 * How the `ballast:*` tasks talk to the terminal: results on stdout, one clear error line on
 * stderr and a non-zero exit code for anything the user can fix (bad argument, missing address
 * book, a revert decoded to its custom error). Unexpected failures keep Hardhat's full report.
 */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UserError";
  }
}

/** Writes one line of task output. */
export function out(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** Runs a task body; expected failures become `error: <message>` and exit code 1. */
export async function runTask(body: () => Promise<void>, expected: (error: unknown) => string | null): Promise<void> {
  try {
    await body();
  } catch (error) {
    const message = expected(error);
    if (message === null) throw error;
    process.stderr.write(`error: ${message}\n`);
    process.exitCode = 1;
  }
}

/** The failures a task reports as one line: bad input, a missing or stale address book, a decoded revert. */
export function expectedFailure(error: unknown): string | null {
  if (error instanceof UserError) return error.message;
  if (error instanceof Error && (error.name === "AddressBookError" || error.name === "WiringError" || error.name === "DeployError")) return error.message;
  return null;
}
