/**
 * Gas per policy transaction, used to cost each policy's actions in the simulator. Ballast's
 * figures are receipt gas measured by `npm run bench` on the real contracts (see reports/bench.json);
 * the reference policies' are the order of their mainnet transactions, stated as such.
 */
export const GAS = {
  /** Ballast: MarketOperator.expandSupply / contractSupply, CollateralPolicy.refresh (bench, 2026-11-25). */
  ballastExpand: 330_891,
  ballastContract: 321_974,
  ballastRefresh: 149_602,
  /** PriceOracle.update() by the keeper, receipt gas (test/keeper/observation.test.ts). */
  ballastObserve: 91_308,
  /** Not benchmarked: the order of one ERC-4626 deposit or withdraw plus the reserve's checks. */
  ballastRebalance: 200_000,
  /** A transaction that reverts in the contract's gate still pays roughly its reads. */
  revertedTx: 60_000,
  /** crvUSD PegKeeperV2.update (regulator checks + add/remove liquidity on the pool). */
  pegKeeperUpdate: 250_000,
  /** FraxPool refreshCollateralRatio. */
  fraxRefresh: 80_000,
  /** Ampleforth Orchestrator.rebase (policy, token rebase, pool syncs). */
  ampleforthRebase: 300_000,
  /** RAI PIRateSetter.updateRate. */
  raiUpdateRate: 200_000,
  /** The ideal bound's unconstrained trade (a mint/burn plus a swap). */
  idealTrade: 150_000,
} as const;
