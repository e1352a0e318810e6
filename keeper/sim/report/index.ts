/**
 * Report writers, one concern each, so new formats (an HTML report) plug in beside them:
 * every writer takes the finished runs and summaries and writes into the output directory.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunTrace } from "../engine";
import type { PegSummary } from "../metrics";
import type { PegRow } from "../aggregate";
import { runsToCsv } from "./csv";
import { orderRows, pegJsonRow, pegMonteCarloMarkdown } from "./peg";
import { pegTableMarkdown } from "./markdown";
import { priceChartSvg } from "./svg";

export { runsToCsv, pegTableMarkdown, priceChartSvg, pegMonteCarloMarkdown, pegJsonRow, orderRows };

export interface SimReport {
  runs: RunTrace[];
  summaries: PegSummary[];
  /** Monte Carlo rows (mean ± 95% CI over seeds): the summary is written from them when given. */
  rows?: PegRow[];
  /** The scenario charted (price vs peg for all policies). */
  chartScenario: string;
}

export type ReportWriter = (report: SimReport, outDir: string) => string[];

export const writeCsv: ReportWriter = (report, outDir) => {
  const files: string[] = [];
  for (const label of [...new Set(report.runs.map((r) => r.label))]) {
    const file = join(outDir, `${label.replace(/[^a-z0-9@-]/gi, "_")}.csv`);
    writeFileSync(file, runsToCsv(report.runs.filter((r) => r.label === label)));
    files.push(file);
  }
  return files;
};

export const writeChart: ReportWriter = (report, outDir) => {
  const runs = report.runs.filter((r) => r.label === report.chartScenario);
  if (runs.length === 0) return [];
  const file = join(outDir, `${report.chartScenario.replace(/[^a-z0-9@-]/gi, "_")}.svg`);
  writeFileSync(file, priceChartSvg(runs, { title: `${report.chartScenario}: price vs $1 peg, all policies` }));
  return [file];
};

export const writeSummary: ReportWriter = (report, outDir) => {
  const md = join(outDir, "summary.md");
  const json = join(outDir, "summary.json");
  if (report.rows) {
    const seeds = Math.max(...report.rows.map((r) => r.seeds));
    writeFileSync(
      md,
      `# Simulation summary\n\nMean ± 95% CI (Student t) over ${seeds} seed(s) per row.\n\n${pegMonteCarloMarkdown(
        report.rows,
      )}`,
    );
    writeFileSync(json, JSON.stringify({ peg: orderRows(report.rows).map(pegJsonRow) }, null, 2) + "\n");
  } else {
    writeFileSync(md, `# Simulation summary\n\n${pegTableMarkdown(report.summaries)}`);
    writeFileSync(json, JSON.stringify({ peg: report.summaries }, null, 2) + "\n");
  }
  return [md, json];
};

export const DEFAULT_WRITERS: ReportWriter[] = [writeCsv, writeChart, writeSummary];

export function writeReports(report: SimReport, outDir: string, writers: ReportWriter[] = DEFAULT_WRITERS): string[] {
  mkdirSync(outDir, { recursive: true });
  return writers.flatMap((w) => w(report, outDir));
}
