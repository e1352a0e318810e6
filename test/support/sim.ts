/** Small builders for the simulator's tests: a scenario object and a market at a chosen pool price. */
import { LOCAL_PARAMS } from "../../deploy/parameters";
import { ballastConfigFrom, buildMarket, parseScenario, warmUp, type Market, type Scenario } from "../../keeper/sim";
import { QUOTE_UNIT, TOKEN_UNIT, toRaw } from "../../keeper/sim/market";

export const CONFIG = ballastConfigFrom(LOCAL_PARAMS);

export function scenario(overrides: Record<string, unknown> = {}): Scenario {
  return parseScenario({
    name: "unit",
    title: "unit test",
    modelledOn: "hand-computed cases",
    seed: 7,
    blocks: 50,
    initial: {
      poolToken: 1_000_000,
      poolQuote: 1_000_000,
      supply: 5_000_000,
      reserveUsdc: 4_500_000,
      reserveWeth: 1000,
    },
    prices: { USDC: [[0, 1]], WETH: [[0, 3000]], FXS: [[0, 5]] },
    feeds: { USDC: { deviationBps: 25, heartbeatSec: 86_400 }, WETH: { deviationBps: 50, heartbeatSec: 3600 } },
    gas: { baseGwei: 20 },
    agents: {
      arbLatencyBlocks: 1,
      arbCapitalUsd: 1_000_000,
      arbGas: 180_000,
      noiseTradesPerBlock: 0,
      noiseTradeUsd: 0,
      keeperLatencyBlocks: 0,
    },
    ...overrides,
  });
}

/** A market whose pool holds `tokens` and `quote` whole units, its TWAP warmed at that price. */
export function marketAt(tokens: number, quote: number, s: Scenario = scenario()): Market {
  const m = buildMarket(s, CONFIG);
  m.reserveToken = toRaw(tokens, TOKEN_UNIT);
  m.reserveQuote = toRaw(quote, QUOTE_UNIT);
  warmUp(m, s);
  return m;
}
