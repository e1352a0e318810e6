/** Builds a fresh policy by name over the scenario's initial balance sheet. */
import type { DecisionParams } from "../../src/policy";
import type { BallastConfig } from "../ballastReserve";
import { type Market, QUOTE_UNIT, WETH_UNIT, toRaw } from "../market";
import type { Scenario } from "../scenario";
import { valueAt } from "../scenario";
import type { Policy, PolicyName } from "../types";
import { AMPLEFORTH_PARAMS, AMPLEFORTH_SIGMOID_PARAMS, AmpleforthPolicy } from "./ampleforth";
import { BallastPolicy } from "./ballast";
import { CDP_INITIAL_COLLATERAL_RATIO } from "./cdp";
import { FraxPolicy } from "./frax";
import { IdealPolicy } from "./ideal";
import { OraclePolicy } from "./oracle";
import { PegKeeperPolicy } from "./pegkeeper";
import { PsmPolicy } from "./psm";
import { RaiPolicy } from "./rai";

export function createPolicy(
  name: PolicyName,
  s: Scenario,
  config: BallastConfig,
  m: Market,
  decision?: DecisionParams,
): Policy {
  const holdings = { USDC: toRaw(s.initial.reserveUsdc, QUOTE_UNIT), WETH: toRaw(s.initial.reserveWeth, WETH_UNIT) };
  const eth = valueAt(s.prices.WETH, 0);
  // CDP designs hold ETH against their debt, at their own typical collateralisation.
  const collateralUsd = s.initial.supply * CDP_INITIAL_COLLATERAL_RATIO;
  switch (name) {
    case "ballast":
      return new BallastPolicy(config, holdings, m.now, true, decision);
    case "none":
      return new BallastPolicy(config, holdings, m.now, false);
    case "ideal":
      return new IdealPolicy(config, holdings);
    case "oracle":
      return new OraclePolicy(config, holdings, m.now);
    case "psm":
      return new PsmPolicy(holdings.USDC, holdings.WETH, s.initial.supply);
    case "frax":
      return new FraxPolicy(holdings.USDC, holdings.WETH, s.prices.FXS ? valueAt(s.prices.FXS, 0) : 5);
    case "pegkeeper":
      return new PegKeeperPolicy(collateralUsd, eth, s.initial.supply);
    case "rai":
      return new RaiPolicy(collateralUsd, eth, s.initial.supply);
    case "ampleforth":
      return new AmpleforthPolicy(Number(m.now), AMPLEFORTH_PARAMS);
    case "ampleforth-sigmoid":
      return new AmpleforthPolicy(Number(m.now), AMPLEFORTH_SIGMOID_PARAMS);
  }
}
