/**
 * Reads forge's output of the invariant campaign, which has one suite per venue (the V2 pair and
 * the V3 pool): each failing suite's message, where it failed and its shrunk sequence of handler
 * steps. forge prints every failure twice (in its suite, then in the closing summary); only the
 * suites' own blocks are read.
 */
export interface CampaignFailure {
  /** The suite, `path:Contract`. */
  suite: string;
  /** forge's failure message (the invariants' joined reasons). */
  message: string;
  /** forge's run and call counters at the failure, when printed. */
  run?: number;
  call?: number;
  /** The handler steps of the shrunk failing sequence, in order. */
  steps: string[];
}

const SUITE_HEADER = /^Ran \d+ tests? for (\S+)$/gm;
const SUMMARY = /^Ran \d+ test suites?/m;

export function campaignFailures(out: string): CampaignFailure[] {
  const suitesOnly = out.slice(0, SUMMARY.exec(out)?.index ?? out.length);
  const headers = [...suitesOnly.matchAll(SUITE_HEADER)];
  const failures: CampaignFailure[] = [];
  headers.forEach((h, i) => {
    const block = suitesOnly.slice(h.index, headers[i + 1]?.index ?? suitesOnly.length);
    const message = /\[FAIL: ([^\]]*)\]/.exec(block)?.[1];
    if (message === undefined) return;
    const counters = /invariant_\w+\(\) \(runs: (\d+), calls: (\d+), reverts: \d+\)/.exec(block);
    const steps = [...block.slice(0, counters?.index).matchAll(/calldata=(\w+)\(/g)].map((m) => m[1]);
    failures.push({
      suite: h[1],
      message,
      ...(counters && { run: Number(counters[1]), call: Number(counters[2]) }),
      steps,
    });
  });
  return failures;
}

/** One line per failing suite: its contract, message, counters and shrunk sequence. */
export function describeFailures(failures: CampaignFailure[]): string {
  return failures
    .map((f) => {
      const where =
        f.run === undefined ? "" : ` [run ${f.run}, call ${f.call}; shrunk sequence: ${f.steps.join(" -> ")}]`;
      return `${f.suite.split(":").pop()}: ${f.message}${where}`;
    })
    .join("; ");
}
