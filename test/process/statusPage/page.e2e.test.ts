/**
 * The status page in a real browser against the real stack: a `hardhat node` process, the
 * deployed protocol, the keeper daemon serving its HTTP server. Headless Chromium (Debian's
 * package, via playwright-core) opens `/`, sees the live deviation; then `ballast:swap` moves the
 * pool price and the numbers and the chart follow WITHOUT a reload. On both venues the page shows
 * the venue's own section (the V2 pair's reserves; the V3 pool's tier, price, tick, in-range
 * liquidity and the protocol-owned position) and the status model's warnings, which a V3 swap out
 * of the position's range raises. Screenshots (laptop and phone widths, and the V3 page out of
 * range) go to reports/screenshots/.
 */
import { expect } from "chai";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { groupThousands, wadToDecimal } from "../../../keeper/src/statusPage/format";
import type { PoolStatus } from "../../../keeper/src/status/model";
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
    pool: { token: string; quote: string } | null;
    venue: PoolStatus | null;
    warnings: string[];
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

/** The venue section's values by test id, and the warnings list's items. */
async function shownVenue(page: Page): Promise<{ fields: Record<string, string>; warnings: string[] }> {
  return page.evaluate(() => {
    const fields: Record<string, string> = {};
    for (const dd of Array.from(document.querySelectorAll("#venue dd")))
      fields[dd.getAttribute("data-testid") ?? ""] = dd.textContent ?? "";
    const warnings = Array.from(document.querySelectorAll("#warnings li")).map((li) => li.textContent ?? "");
    return { fields, warnings };
  });
}

/** What the warnings list shows for the API's warnings: each sentence, or "None.". */
const warningsShown = (warnings: string[]): string[] => (warnings.length > 0 ? warnings : ["None."]);

/** A WAD price as the page writes it (six decimals at most, truncated, grouped). */
const wadShown = (raw: string): string => groupThousands(wadToDecimal(BigInt(raw), 6));

/** Opens the page (`watch` attaches listeners first) and waits until it shows the keeper's live view. */
async function openLivePage(s: Stack, browser: LaunchedBrowser, watch: (page: Page) => void): Promise<Page> {
  const page = await browser.context.newPage();
  watch(page);
  await page.goto(`${s.keeper.url}/`, { waitUntil: "load" });
  await page.waitForFunction(
    () =>
      document.getElementById("deviation")?.hasAttribute("data-bps") &&
      document.getElementById("live")?.getAttribute("data-state") === "live",
    null,
    { timeout: 30_000 },
  );
  return page;
}

/**
 * For the enclosing `describe`: a stack on `venue` and a Chromium, started before its tests and
 * stopped after; skips only when no browser can be installed on this machine.
 */
function pageSuite(venue: "v2" | "v3"): { stack(): Stack; browser(): LaunchedBrowser } {
  let stack: Stack | undefined;
  let browser: LaunchedBrowser | undefined;
  before(async function () {
    // Room for a first-time `apt-get install -y chromium` (ensureChromium allows it 10 minutes).
    this.timeout(900_000);
    const missing = ensureChromium();
    if (missing) {
      console.warn(`  skipping the status page browser test: ${missing}`);
      this.skip();
    }
    stack = await startStack({ venue });
    browser = await launchChromium();
  });
  after(async function () {
    await browser?.close();
    await stack?.stop();
  });
  return { stack: () => stack!, browser: () => browser! };
}

describe("status page in headless Chromium (e2e: hardhat node + deploy + keeper daemon)", function () {
  this.timeout(240_000);
  const suite = pageSuite("v2");

  it("shows the live deviation, then follows a ballast:swap in numbers and chart without a reload", async function () {
    const s = suite.stack();
    const failed: string[] = [];
    const external: string[] = [];
    let navigations = 0;
    const page = await openLivePage(s, suite.browser(), (p) => {
      p.on("requestfailed", (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
      p.on("pageerror", (e) => failed.push(`page error: ${e.message}`));
      p.on("request", (r) => {
        if (!r.url().startsWith(s.keeper.url)) external.push(r.url());
      });
      p.on("framenavigated", (f) => {
        if (f === p.mainFrame()) navigations++;
      });
    });
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
    // The venue's section: the V2 pair and its reserves as the API states them; the warnings as the API lists them.
    const venueBefore = await shownVenue(page);
    const pool = apiBefore.status.pool!;
    expect(apiBefore.status.venue?.venue).to.equal("v2");
    expect(venueBefore.fields["venue-kind"]).to.equal("Uniswap V2 pair");
    expect(venueBefore.fields["venue-reserves"]).to.equal(
      `${groupThousands(pool.token)} tokens / ${groupThousands(pool.quote)} quote`,
    );
    expect(venueBefore.warnings).to.deep.equal(warningsShown(apiBefore.status.warnings));

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
    // The pair's reserves followed the swap: more quote in the pool than before.
    const reservesAfter = (await shownVenue(page)).fields["venue-reserves"];
    expect(reservesAfter).to.not.equal(venueBefore.fields["venue-reserves"]);
    const quoteIn = (text: string) => Number(text.split(" / ")[1].replace(/[^\d.]/g, ""));
    expect(quoteIn(reservesAfter)).to.be.greaterThan(quoteIn(venueBefore.fields["venue-reserves"]));
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

describe("status page on the Uniswap V3 venue in headless Chromium (e2e: hardhat node + deploy --venue v3 + keeper daemon)", function () {
  this.timeout(240_000);
  const suite = pageSuite("v3");

  it("shows the pool's tier, price, tick, in-range liquidity and the protocol-owned position, and warns once a swap moves the price out of the position's range", async function () {
    const s = suite.stack();
    const failed: string[] = [];
    const page = await openLivePage(s, suite.browser(), (p) =>
      p.on("pageerror", (e) => failed.push(`page error: ${e.message}`)),
    );
    await page.waitForFunction(
      () => document.querySelector('[data-testid="venue-kind"]')?.textContent?.startsWith("Uniswap V3"),
      null,
      { timeout: 15_000 },
    );
    const apiBefore = await api(s);
    const v = apiBefore.status.venue;
    if (v?.venue !== "v3") throw new Error(`the API's venue is ${JSON.stringify(v)}, not a V3 pool`);
    const pos = v.position;
    if (pos === null) throw new Error("the API shows no protocol-owned position on the V3 venue");
    expect(pos.inRange).to.equal(true);
    const before = await shownVenue(page);
    expect(before.fields).to.deep.equal({
      "venue-kind": "Uniswap V3 pool, 0.01% fee tier",
      "venue-price": `${wadShown(v.poolPrice)} quote per token (tick ${v.tick})`,
      "venue-liquidity": groupThousands(v.liquidity),
      "venue-position": `${wadShown(pos.lowPrice)}–${wadShown(pos.highPrice)} (ticks ${pos.tickLower}…${
        pos.tickUpper
      }), liquidity ${groupThousands(pos.liquidity)}, ✓ in range`,
    });
    expect(before.warnings).to.deep.equal(warningsShown(apiBefore.status.warnings));

    // Buy far enough past the position's ±20 bps range (the market maker's ±50 bps depth still holds the price).
    await s.task(["ballast:swap", "--side", "buy", "--amount", "700000"]);
    await page.waitForFunction(
      () => /OUT OF RANGE$/.test(document.querySelector('[data-testid="venue-position"]')?.textContent ?? ""),
      null,
      { timeout: 30_000 },
    );
    const after = await shownVenue(page);
    const apiAfter = await api(s);
    const outOfRange = (w: string) => w.startsWith("the protocol-owned position is out of range");
    expect(apiAfter.status.warnings.filter(outOfRange)).to.have.length(1);
    expect(after.warnings.filter(outOfRange)).to.deep.equal(apiAfter.status.warnings.filter(outOfRange));
    expect(after.fields["venue-price"]).to.not.equal(before.fields["venue-price"]);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, "status-page-v3-laptop.png"), fullPage: true });
    expect(failed, failed.join("\n")).to.deep.equal([]);
  });
});
