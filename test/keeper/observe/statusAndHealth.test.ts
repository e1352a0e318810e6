/** `status` output from a real snapshot, and /healthz turning 503 when cycles stop. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySystemFixture } from "../../support/system";
import { connectProtocol, SymbolCache } from "../../../keeper/src/chain/protocol";
import { readSnapshot } from "../../../keeper/src/chain/reader";
import { renderStatus, statusOf } from "../../../keeper/src/status";
import { createHttpServer, healthzHandler, metricsHandler } from "../../../keeper/src/http/server";
import { createMetrics } from "../../../keeper/src/metrics";

describe("keeper status and health", function () {
  it("status --json carries the documented status fields from one snapshot", async function () {
    const f = await loadFixture(deploySystemFixture);
    const book = {
      chainId: 31337,
      contracts: {
        BallastDollar: await f.stable.getAddress(), PriceOracle: await f.oracle.getAddress(), Reserve: await f.reserve.getAddress(),
        CollateralPolicy: await f.policy.getAddress(), MarketOperator: await f.operator.getAddress(), Pool: await f.pair.getAddress(),
      },
    };
    const protocol = await connectProtocol(book, ethers.provider);
    const snap = await readSnapshot(ethers.provider, protocol, new SymbolCache(ethers.provider), { feeHistoryBlocks: 4, rewardPercentile: 50, keeper: null });
    const st = statusOf(snap);
    expect(st.spotPrice).to.equal((await f.oracle.marketPrice())[0].toString());
    expect(st.deviationBps).to.equal(0);
    expect(st.supply).to.equal((await f.stable.totalSupply()).toString());
    expect(st.collateralRatio).to.equal((await f.reserve.collateralRatio()).toString());
    expect(st.targetRatio).to.equal((await f.policy.targetRatio()).toString());
    expect(st.feeds.map((x) => x.symbol)).to.deep.equal(["USDC", "WETH"]);
    expect(st.paused).to.deep.equal({ operations: false });
    expect(JSON.parse(JSON.stringify(st))).to.deep.equal(st);
    expect(renderStatus(st)).to.include("spot / TWAP    1.000000 / 1.000000 USD  (0 bps from peg)");
  });

  it("/healthz: 200 while cycles complete, 503 once none completed within the bound; extra routes can be registered", async function () {
    let now = 1_000_000;
    let last: number | null = null;
    const health = { lastCycleAtMs: () => last, startedAtMs: () => 1_000_000 };
    const server = createHttpServer();
    server.route("/healthz", healthzHandler(health, 30, () => now));
    server.route("/metrics", metricsHandler(createMetrics({ defaultMetrics: false }).registry));
    server.route("/status.json", () => ({ status: 200, contentType: "application/json", body: "{\"ok\":true}" }));
    const { port } = await server.listen(0, "127.0.0.1");
    const get = (p: string) => fetch(`http://127.0.0.1:${port}${p}`);
    try {
      expect((await get("/healthz")).status).to.equal(200); // inside the start-up grace
      now += 31_000;
      expect((await get("/healthz")).status).to.equal(503); // never completed a cycle
      last = now - 5_000;
      expect((await get("/healthz")).status).to.equal(200);
      now += 40_000;
      const stale = await get("/healthz");
      expect(stale.status).to.equal(503);
      expect(await stale.json()).to.include({ status: "stale", maxAgeSec: 30 });
      expect(await (await get("/metrics")).text()).to.include("# TYPE ballast_peg_deviation_bps gauge");
      expect(await (await get("/status.json")).json()).to.deep.equal({ ok: true });
      expect((await get("/nope")).status).to.equal(404);
    } finally {
      await server.close();
    }
  });
});
