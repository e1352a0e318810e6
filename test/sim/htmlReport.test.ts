/**
 * The simulator's HTML report: real model runs (shortened scenarios, every policy) turned into one
 * self-contained file, then opened from disk in headless Chromium: every chart draws, no script
 * error, no request leaves the file (chart.js is inlined), each policy keeps its style across charts.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { POLICY_NAMES, loadScenario, runScenario, summarise, type RunResult } from "../../keeper/sim";
import { downsample, simReportHtml } from "../../keeper/sim/report/html";
import { ensureChromium, launchChromium } from "../support/process/browser";

describe("status page: simulator HTML report", function () {
  this.timeout(120_000);
  let runs: RunResult[];

  before(function () {
    runs = [];
    for (const name of ["selloff", "quiet"]) {
      const s = { ...loadScenario(name), blocks: 300 };
      for (const p of POLICY_NAMES) runs.push(runScenario(s, p));
    }
  });

  it("downsampling keeps each bucket's extreme and the last point", function () {
    const pts = Array.from({ length: 1000 }, (_, i) => ({ x: i, y: i === 537 ? 1.2 : 1 + (i % 7) / 1000 }));
    const out = downsample(pts, 100, 1);
    expect(out.length).to.be.at.most(101);
    expect(out.some((p) => p.x === 537 && p.y === 1.2)).to.equal(true);
    expect(out[out.length - 1]).to.deep.equal(pts[999]);
    expect(downsample(pts.slice(0, 10), 100)).to.have.length(10);
  });

  it("rejects a bad band or point budget, naming the option", function () {
    expect(() => simReportHtml({ runs, summaries: [] }, { bandBps: -1 })).to.throw(/bandBps/);
    expect(() => simReportHtml({ runs, summaries: [] }, { bandBps: 50, maxPoints: 1 })).to.throw(/maxPoints/);
  });

  it("is one self-contained file whose charts all draw in Chromium, every policy on each scenario", async function () {
    const html = simReportHtml({ runs, summaries: runs.map(summarise) }, { bandBps: 50 });
    expect(html).to.not.match(/<script[^>]+src=|<link[^>]+href=/, "no external script or stylesheet");
    expect(html).to.contain('<h2 id="s0-h">selloff</h2>').and.to.contain('<h2 id="s1-h">quiet</h2>');
    // The summary table has a row per policy in each scenario (ballast in bold).
    for (const p of POLICY_NAMES)
      expect(
        html.split(p === "ballast" ? `<th scope="row"><strong>ballast</strong></th>` : `<th scope="row">${p}</th>`)
          .length - 1,
      ).to.equal(2, p);

    this.timeout(900_000); // room for a first-time `apt-get install -y chromium`
    const missing = ensureChromium();
    if (missing) {
      console.warn(`  skipping the report's browser check: ${missing}`);
      this.skip();
    }
    const dir = mkdtempSync(path.join(tmpdir(), "ballast-report-"));
    const file = path.join(dir, "report.html");
    writeFileSync(file, html);
    const b = await launchChromium();
    try {
      const page = await b.context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("request", (r) => {
        if (!r.url().startsWith("file:")) problems.push(`request left the file: ${r.url()}`);
      });
      await page.goto(`file://${file}`, { waitUntil: "load" });
      type Drawn = { id: string; datasets: { label: string; colour: string; dash: string }[] | null };
      const charts: Drawn[] = await page.evaluate(() => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const C = (window as any).Chart;
        return [...document.querySelectorAll("canvas")].map((c) => {
          const ch = C.getChart(c);
          return {
            id: c.id,
            datasets: ch
              ? ch.data.datasets.map((d: { label: string; borderColor: string; borderDash?: number[] }) => ({
                  label: d.label,
                  colour: d.borderColor,
                  dash: (d.borderDash ?? []).join(","),
                }))
              : null,
          };
        });
      });
      expect(problems, problems.join("\n")).to.deep.equal([]);
      // Two scenarios × (price, deviation, supply, ratio).
      expect(charts.map((c) => c.id)).to.deep.equal([
        "s0-price",
        "s0-deviation",
        "s0-supply",
        "s0-ratio",
        "s1-price",
        "s1-deviation",
        "s1-supply",
        "s1-ratio",
      ]);
      const price = charts.find((c) => c.id === "s0-price")!.datasets!;
      for (const p of POLICY_NAMES) expect(price.map((d) => d.label)).to.include(p);
      expect(price.some((d) => d.label.startsWith("band bottom (peg − 50 bps)"))).to.equal(true);
      // A policy looks the same in every chart it appears in (colour and dash pattern).
      const look = new Map<string, string>();
      for (const c of charts) {
        for (const d of c.datasets!) {
          if (!(POLICY_NAMES as readonly string[]).includes(d.label)) continue;
          const seen = look.get(d.label);
          if (seen) expect(`${d.colour}/${d.dash}`, `${d.label} in ${c.id}`).to.equal(seen);
          else look.set(d.label, `${d.colour}/${d.dash}`);
        }
      }
      expect(new Set(look.values()).size).to.equal(POLICY_NAMES.length, "every policy has its own look");
    } finally {
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
