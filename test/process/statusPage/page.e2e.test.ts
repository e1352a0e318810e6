/**
 * The status page in a real browser against the real stack: a `hardhat node` process, the
 * deployed protocol, the keeper daemon serving its HTTP server. Headless Chromium (Debian's
 * package, via playwright-core) opens `/`, sees the live deviation; then `ballast:swap` moves the
 * pool price and the numbers and the chart follow WITHOUT a reload. Screenshots (laptop and phone
 * widths) go to reports/screenshots/.
 */
import { expect } from "chai";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { ensureChromium, launchChromium, type LaunchedBrowser } from "../../support/process/browser";
import { startStack, type Stack } from "../../support/process/stack";

const SHOTS = path.resolve(__dirname, "../../../reports/screenshots");

interface ApiStatus {
  version: number;
  status: {
    block: number;
    deviationBps: number;
    spotUsd: string;
    history: { block: number; spotUsd: number }[];
    reserve: { symbol: string; feedNote: string }[];
  };
}

async function api(stack: Stack): Promise<ApiStatus> {
  const res = await fetch(`${stack.keeper.url}/api/status`);
  expect(res.status).to.equal(200);
  return (await res.json()) as ApiStatus;
}

/** What the page shows right now, read from the DOM and from the chart object itself. */
async function shown(page: Page) {
  return page.evaluate(() => {
    const canvas = document.getElementById("priceChart") as HTMLCanvasElement;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const chart = (window as any).Chart.getChart(canvas);
    const spot = chart.data.datasets.find((d: { label: string }) => d.label === "pool spot");
    const last = spot.data[spot.data.length - 1];
    return {
      deviationBps: Number(document.getElementById("deviation")!.getAttribute("data-bps")),
      deviationText: document.getElementById("deviation")!.textContent ?? "",
      spotText: document.getElementById("spot")!.textContent ?? "",
      block: Number(document.getElementById("block")!.textContent),
      chartPoints: spot.data.length as number,
      chartLast: last as { x: number; y: number },
      bandDrawn: chart.data.datasets.some((d: { label: string }) => d.label.startsWith("band bottom")),
      live: document.getElementById("live")!.getAttribute("data-state"),
    };
  });
}

describe("status page in headless Chromium (e2e: hardhat node + deploy + keeper daemon)", function () {
  this.timeout(240_000);
  let stack: Stack | undefined;
  let browser: LaunchedBrowser | undefined;

  before(async function () {
    // Room for a first-time `apt-get install -y chromium` (ensureChromium allows it 10 minutes).
    this.timeout(900_000);
    const missing = ensureChromium();
    if (missing) {
      // The only reason to skip: no browser can be installed on this machine.
      console.warn(`  skipping the status page browser test: ${missing}`);
      this.skip();
    }
    stack = await startStack();
    browser = await launchChromium();
  });

  after(async function () {
    await browser?.close();
    await stack?.stop();
  });

  it("shows the live deviation, then follows a ballast:swap in numbers and chart without a reload", async function () {
    const s = stack!;
    const page = await browser!.context.newPage();
    const failed: string[] = [];
    page.on("requestfailed", (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    page.on("pageerror", (e) => failed.push(`page error: ${e.message}`));
    const external: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(s.keeper.url)) external.push(r.url());
    });
    let navigations = 0;
    page.on("framenavigated", (f) => {
      if (f === page.mainFrame()) navigations++;
    });

    await page.goto(`${s.keeper.url}/`, { waitUntil: "load" });
    await page.waitForFunction(
      () =>
        document.getElementById("deviation")?.hasAttribute("data-bps") &&
        document.getElementById("live")?.getAttribute("data-state") === "live",
      null,
      { timeout: 30_000 },
    );
    const before = await shown(page);
    const apiBefore = await api(s);
    expect(before.deviationBps).to.equal(apiBefore.status.deviationBps);
    expect(before.deviationText).to.match(/^[+-]?\d+ bps/);
    expect(before.spotText).to.equal(`$${apiBefore.status.spotUsd}`);
    expect(Math.abs(before.deviationBps)).to.be.lessThan(50, "freshly deployed pool sits at the peg");
    expect(before.bandDrawn).to.equal(true);
    expect(before.chartPoints).to.be.greaterThan(0);
    // Each reserve row's feed cell states the price in the status model's words (fresh feeds: "ok").
    const feedCells = await page.$$eval("#reserveRows tr", (rows) =>
      rows.map((r) => r.lastElementChild?.textContent ?? ""),
    );
    expect(feedCells.length).to.equal(apiBefore.status.reserve.length);
    expect(apiBefore.status.reserve.map((a) => a.feedNote)).to.deep.equal(apiBefore.status.reserve.map(() => "ok"));
    for (const text of feedCells) expect(text).to.match(/^✓ ok, .+ old \(max .+\)$/);

    // A marker that only survives if the page is never reloaded.
    await page.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 42));
    // Buy 40,000 USDC worth of BLD from a 1M/1M pool: spot rises by roughly 8%.
    await s.task(["ballast:swap", "--side", "buy", "--amount", "40000"]);

    await page.waitForFunction(
      (prev) => Number(document.getElementById("deviation")?.getAttribute("data-bps")) > prev + 100,
      before.deviationBps,
      { timeout: 30_000 },
    );
    const after = await shown(page);
    const apiAfter = await api(s);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).to.equal(42);
    expect(navigations).to.equal(1, "only the first load navigated");
    expect(after.deviationBps).to.be.within(500, 1200);
    expect(after.deviationText).to.contain("above peg");
    expect(after.block).to.be.greaterThan(before.block);
    // The chart grew and its newest point is the new spot the API reports for that block.
    expect(after.chartPoints).to.be.greaterThan(before.chartPoints);
    expect(after.chartLast.x).to.be.greaterThan(before.chartLast.x);
    expect(after.chartLast.y).to.be.greaterThan(1.04);
    const apiPoint = apiAfter.status.history.find((p) => p.block === after.chartLast.x);
    expect(apiPoint, `API history has block ${after.chartLast.x}`).to.not.equal(undefined);
    expect(after.chartLast.y).to.equal(apiPoint!.spotUsd);
    expect(await page.getAttribute("#priceChart", "aria-label")).to.match(/spot now \$1\.0\d{3}/);
    // The keeper looked at the moved price and said what it decided (TWAP still lags: it stands still).
    await page.waitForFunction(
      () => /^stand still: |^act: /.test(document.querySelector('[data-testid="decision"]')?.textContent ?? ""),
      null,
      { timeout: 15_000 },
    );

    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, "status-page-laptop.png"), fullPage: true });

    // Phone width: same page, no horizontal scrolling of the page itself.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).to.be.at.most(0, "no horizontal overflow at 390 px");
    await page.screenshot({ path: path.join(SHOTS, "status-page-phone.png"), fullPage: true });

    expect(failed, failed.join("\n")).to.deep.equal([]);
    expect(external, "every request stays on the keeper's own server (no CDN)").to.deep.equal([]);
  });
});
