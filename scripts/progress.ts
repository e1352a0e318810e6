/**
 * Terminal progress for long runs: a bar redrawn in place on a TTY, a line every 10% otherwise
 * (CI logs). Writes to stderr so stdout stays clean for results.
 */
export class ProgressBar {
  private lastPct = -1;
  private readonly started = Date.now();

  constructor(private readonly label: string, private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(done: number, total: number, detail = ""): void {
    const pct = total === 0 ? 100 : Math.floor((100 * done) / total);
    const elapsed = ((Date.now() - this.started) / 1000).toFixed(1);
    if (this.stream.isTTY) {
      const width = 30;
      const filled = Math.round((width * pct) / 100);
      this.stream.write(
        `\r${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(pct).padStart(
          3,
        )}% ${elapsed}s ${detail}`
          .padEnd(110)
          .slice(0, 110),
      );
    } else if (pct >= this.lastPct + 10 || pct === 100) {
      this.stream.write(`${this.label} ${pct}% (${elapsed}s) ${detail}\n`);
    } else return;
    this.lastPct = pct;
  }

  done(message: string): void {
    if (this.stream.isTTY) this.stream.write("\r" + " ".repeat(110) + "\r");
    this.stream.write(`${message}\n`);
  }
}
