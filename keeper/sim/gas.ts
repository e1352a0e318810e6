/**
 * Gas per transaction, used to cost every actor's transactions in the simulator at the block's gas
 * price. Ballast's figures are receipt gas measured by `npm run bench` on the real contracts (the
 * README's gas table); a figure for another design is the order of its mainnet transaction,
 * stated as an estimate with what it is made of. Every actor whose path is the same pays the same
 * gas: an arbitrage is one pool swap plus the facility call of the design it trades against.
 */
export const GAS = {
  /** Ballast: MarketOperator.expandSupply / contractSupply (bench, with the pair sync), CollateralPolicy.refresh. */
  ballastExpand: 270_606,
  ballastContract: 268_587,
  ballastRefresh: 131_578,
  /** PriceOracle.update() by the keeper, receipt gas (test/keeper/policy/observation.test.ts). */
  ballastObserve: 67_620,
  /**
   * What an observation adds, at most hourly, reading both feeds and recording their newer last
   * good prices (136,831 measured for that write, test/keeper/policy/observation.test.ts).
   */
  ballastObservePriceReads: 69_211,
  /** Not benchmarked: the order of one ERC-4626 deposit or withdraw plus the reserve's checks. */
  ballastRebalance: 200_000,
  /** A transaction that reverts in the contract's gate still pays roughly its reads. */
  revertedTx: 60_000,
  /**
   * crvUSD PegKeeperV2.update, estimated: the regulator's reads over four pools (get_p, price_oracle,
   * aggregator price, debt ratios, ~60k), a stableswap-ng add_liquidity or remove_liquidity_imbalance
   * (~150k) and the caller's LP transfer (~30k).
   */
  pegKeeperUpdate: 250_000,
  /** PegKeeperV2.update returning early inside its 15-minute action delay (reads only). */
  pegKeeperEarlyReturn: 30_000,
  /** FraxPool refreshCollateralRatio, estimated: the FRAX oracle read and one storage write. */
  fraxRefresh: 80_000,
  /** Ampleforth Orchestrator.rebase, estimated: policy maths, the token's rebase, pool syncs. */
  ampleforthRebase: 300_000,
  /** RAI PIRateSetter.updateRate, estimated: oracle relayer reads, the PI maths, the treasury's caller reward. */
  raiUpdateRate: 200_000,
  /** The unconstrained `ideal` curiosity's trade (a mint/burn plus a swap). */
  idealTrade: 150_000,

  // ---------------------------------------------------------------- arbitrage legs
  /** One Uniswap V2 pair swap, measured on the real V2 bytecode on the Hardhat network (~108k). */
  poolSwap: 108_000,
  /**
   * Ballast Reserve.mint / Reserve.redeem with USDC (bench receipt gas, README gas table): the
   * stable lane on a fresh cached valuation, which is the arbitrage leg's path while the cache is at
   * most valuationMaxAgeSec old (a lane call on a stale cache prices the whole reserve and renews it).
   */
  ballastMint: 119_108,
  ballastRedeem: 116_873,
  /** A LitePSM-style swap (sellGem / buyGem): ~53k, the figure published for Sky's LitePSM. */
  psmSwap: 53_000,
  /** FraxPool mintFractionalFRAX / redeemFractionalFRAX, estimated: two oracle reads, USDC and FXS transfers, FXS burn or mint. */
  fraxMint: 180_000,
  fraxRedeem: 200_000,
  /** A CDP borrower's borrow_more / repay (crvUSD controller + LLAMMA band moves; RAI modifySAFECollateralization), estimated. */
  cdpBorrow: 300_000,
  cdpRepay: 250_000,
} as const;
