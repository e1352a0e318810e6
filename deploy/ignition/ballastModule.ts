/**
 * The Hardhat Ignition module for a whole Ballast system: on local networks the test collateral,
 * Chainlink MockV3Aggregator feeds, strategy vaults and the real Uniswap factory; on every network
 * the venue, the five protocol contracts, their wiring, and (local) funded accounts. The venue is
 * the Uniswap V2 pair (seeded at the peg here, local) or a Uniswap V3 pool with MarketOperatorV3
 * (UniswapV3Quote linked), PriceOracleV3 and the LiquidityManager; a V3 pool is initialised at the
 * peg and seeded after the module (deploy/v3Launch.ts), because its price depends on the token
 * order, known only once the tokens exist. Ignition journals each step, so a re-run against the
 * same chain sends nothing and a change of parameters against a deployed chain fails
 * reconciliation loudly.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { CallableContractFuture, Future } from "@nomicfoundation/ignition-core";
import { ZeroHash, id, parseUnits } from "ethers";
import {
  sizingArgs,
  stableLaneArgs,
  type BallastParams,
  type CollateralParams,
  type LiveNetworkConfig,
} from "../parameters";
import { seedAmounts } from "../seedAmounts";
import { V3_FACTORY_DEFAULT_TIERS, V3_TICK_SPACING, type V3VenueParams } from "../venue";
import {
  UNISWAP_V2_FACTORY_ARTIFACT,
  UNISWAP_V2_PAIR_ARTIFACT,
  UNISWAP_V3_FACTORY_ARTIFACT,
  UNISWAP_V3_POOL_ARTIFACT,
} from "./uniswapArtifacts";

export const ROLES = {
  DEFAULT_ADMIN_ROLE: ZeroHash,
  MINTER_ROLE: id("MINTER_ROLE"),
  OPERATOR_ROLE: id("OPERATOR_ROLE"),
  GUARDIAN_ROLE: id("GUARDIAN_ROLE"),
  KEEPER_ROLE: id("KEEPER_ROLE"),
} as const;

/** Everything the module needs, with every account already resolved to an address. */
export interface BallastModuleInput {
  params: BallastParams;
  deployer: string;
  guardian: string;
  keeper: string;
  /** Receives DEFAULT_ADMIN_ROLE at the end, and the deployer renounces it; null keeps the deployer. */
  handoverAdmin: string | null;
  /**
   * Local networks: accounts funded with test collateral, whole units per symbol; `seed` puts
   * liquidity in the V2 pair at the peg and contributes the protocol's equity (a V3 pool is seeded
   * after the module).
   */
  local: { fundedAccounts: string[]; amountBySymbol: Record<string, string>; seed: boolean } | null;
  /** Live networks: existing tokens, feeds and factory. */
  external: (LiveNetworkConfig["external"] & { strategies?: Record<string, string> }) | null;
}

export const BALLAST_MODULE_ID = "Ballast";

const wad = (usd: string) => parseUnits(usd, 18);

// Ignition futures of any kind; the module only passes them around as addresses.
type AnyContract = CallableContractFuture<string>;

export function buildBallastModule(input: BallastModuleInput) {
  const { params } = input;
  const collaterals: CollateralParams[] = [params.collateral.quote, ...params.collateral.others];
  if (!input.local && !input.external)
    throw new Error("Ballast module: a network is either local or names its external contracts");
  const v3 = params.venue?.kind === "v3" ? params.venue : null;
  if (v3 && !input.local)
    throw new Error(
      "Ballast module: venue.kind v3 is deployed on local networks only (a live network needs an existing V3 factory, not read yet)",
    );

  return buildModule(BALLAST_MODULE_ID, (m) => {
    const tokens: Record<string, AnyContract | string> = {};
    const feeds: Record<string, AnyContract | string> = {};
    const vaults: Record<string, AnyContract | string> = {};
    const localTokens: Record<string, AnyContract> = {};
    const results: Record<string, AnyContract> = {};

    for (const c of collaterals) {
      if (input.local) {
        const token = m.contract(
          "TestERC20",
          [c.symbol === "USDC" ? "USD Coin (test)" : `${c.symbol} (test)`, c.symbol, c.decimals],
          { id: c.symbol },
        );
        const feed = m.contract("MockV3Aggregator", [c.feedDecimals, parseUnits(c.initialPriceUsd, c.feedDecimals)], {
          id: `Feed${c.symbol}`,
        });
        tokens[c.symbol] = localTokens[c.symbol] = results[c.symbol] = token;
        feeds[c.symbol] = results[`Feed${c.symbol}`] = feed;
        if (c.strategy) {
          vaults[c.symbol] = results[`Vault${c.symbol}`] = m.contract(
            "TestVault",
            [token, `Ballast ${c.symbol} strategy`, `bs${c.symbol}`],
            { id: `Vault${c.symbol}` },
          );
        }
      } else {
        const ext = input.external!;
        const token = ext.tokens[c.symbol];
        const feed = ext.feeds[c.symbol];
        if (!token) throw new Error(`external.tokens.${c.symbol} is not configured`);
        if (!feed) throw new Error(`external.feeds.${c.symbol} is not configured`);
        tokens[c.symbol] = token;
        feeds[c.symbol] = feed;
        if (c.strategy) {
          const vault = ext.strategies?.[c.symbol];
          if (!vault)
            throw new Error(
              `collateral ${c.symbol} wants a strategy: external.strategies.${c.symbol} is not configured`,
            );
          vaults[c.symbol] = vault;
        }
      }
    }
    const quoteSymbol = params.collateral.quote.symbol;
    const quoteToken = tokens[quoteSymbol];

    const stable = m.contract("BallastDollar", [input.deployer]);
    const { factory, pool, oracle } = v3
      ? v3Venue(m, v3, stable, quoteToken, input.deployer, params.oracle.twapWindowSec)
      : v2Venue(m, input, stable, quoteToken, params.oracle.twapWindowSec);
    // The Reserve links its cold code (admin checks, strategy moves) to stay under EIP-170.
    const reserve = m.contract("Reserve", [input.deployer, stable, oracle], {
      libraries: { ReserveAdmin: m.library("ReserveAdmin") },
    });

    const wiring: Future[] = [];
    for (const c of collaterals) {
      wiring.push(
        m.call(
          oracle,
          "setFeed",
          [tokens[c.symbol], feeds[c.symbol], c.maxAgeSec, wad(c.minPriceUsd), wad(c.maxPriceUsd)],
          { id: `setFeed${c.symbol}` },
        ),
      );
      const listed = m.call(
        reserve,
        "listAsset",
        [
          tokens[c.symbol],
          {
            haircutBps: c.haircutBps,
            mintFeeBps: c.mintFeeBps,
            redeemFeeBps: c.redeemFeeBps,
            bufferBps: c.bufferBps,
            ceiling: parseUnits(c.ceiling, c.decimals),
          },
        ],
        { id: `listAsset${c.symbol}` },
      );
      wiring.push(listed);
      if (vaults[c.symbol]) {
        wiring.push(
          m.call(reserve, "setStrategy", [tokens[c.symbol], vaults[c.symbol]], {
            id: `setStrategy${c.symbol}`,
            after: [listed],
          }),
        );
      }
      if (c.redeemSpreadBps !== undefined) {
        wiring.push(
          m.call(reserve, "setRedeemSpread", [tokens[c.symbol], c.redeemSpreadBps], {
            id: `setRedeemSpread${c.symbol}`,
            after: [listed],
          }),
        );
      }
      if (c.stableLane) {
        wiring.push(
          m.call(reserve, "setStableLane", [tokens[c.symbol], stableLaneArgs(c.stableLane)], {
            id: `setStableLane${c.symbol}`,
            after: [listed],
          }),
        );
      }
    }
    wiring.push(
      m.call(reserve, "setRecoveryFees", [params.reserve.recoveryMintFeeBps, params.reserve.recoveryRedeemFeeBps]),
    );
    wiring.push(m.call(reserve, "setBufferTolerance", [params.reserve.bufferToleranceBps]));

    const policy = m.contract("CollateralPolicy", [input.deployer, oracle, reserve, { ...params.policy }]);
    wiring.push(m.call(reserve, "setCollateralPolicy", [policy]));

    const op = params.operator;
    const operatorArgs = [
      input.deployer,
      stable,
      oracle,
      reserve,
      policy,
      {
        maxExpansionPerOp: wad(op.maxExpansionPerOp),
        maxExpansionPerEpoch: wad(op.maxExpansionPerEpoch),
        maxContractionPerOp: wad(op.maxContractionPerOp),
        maxContractionPerEpoch: wad(op.maxContractionPerEpoch),
        cooldownSec: op.cooldownSec,
        epochSec: op.epochSec,
      },
      op.bandBps,
      op.maxSpotTwapDeviationBps,
    ];
    // On V3 the operator trades through the pool's swap callback and quotes with the linked tick maths.
    const operator = v3
      ? m.contract("MarketOperatorV3", operatorArgs, {
          id: "MarketOperator",
          libraries: { UniswapV3Quote: m.library("UniswapV3Quote") },
        })
      : m.contract("MarketOperator", operatorArgs);
    wiring.push(m.call(operator, "setSizing", sizingArgs(op.sizing)));

    // Who may mint, who may move reserve funds, who may pause, who may operate.
    wiring.push(m.call(stable, "grantRole", [ROLES.MINTER_ROLE, reserve], { id: "grantMinterReserve" }));
    wiring.push(m.call(stable, "grantRole", [ROLES.MINTER_ROLE, operator], { id: "grantMinterOperator" }));
    wiring.push(m.call(reserve, "grantRole", [ROLES.OPERATOR_ROLE, operator], { id: "grantOperatorReserve" }));
    wiring.push(m.call(reserve, "grantRole", [ROLES.GUARDIAN_ROLE, input.guardian], { id: "grantGuardianReserve" }));
    wiring.push(m.call(operator, "grantRole", [ROLES.GUARDIAN_ROLE, input.guardian], { id: "grantGuardianOperator" }));
    wiring.push(m.call(operator, "grantRole", [ROLES.KEEPER_ROLE, input.keeper], { id: "grantKeeperOperator" }));

    // V3: the protocol-owned liquidity; it mints the token and draws quote from the Reserve, the keeper operates it.
    const venueContracts: Record<string, AnyContract> = {};
    if (v3) {
      const lm = m.contract("LiquidityManager", [
        input.deployer,
        stable,
        oracle,
        reserve,
        v3.polRangeBps,
        wad(v3.polMaxQuote),
      ]);
      wiring.push(m.call(stable, "grantRole", [ROLES.MINTER_ROLE, lm], { id: "grantMinterLiquidityManager" }));
      wiring.push(m.call(reserve, "grantRole", [ROLES.OPERATOR_ROLE, lm], { id: "grantOperatorLiquidityManager" }));
      wiring.push(m.call(lm, "grantRole", [ROLES.OPERATOR_ROLE, input.keeper], { id: "grantKeeperLiquidityManager" }));
      // The position's quote counts in the reserve's value (its token side at zero).
      wiring.push(
        m.call(reserve, "setValueSource", [lm], { id: "setValueSourceLiquidityManager", after: [...wiring] }),
      );
      venueContracts.LiquidityManager = lm;
      // The market maker's router for the local seed (a test contract: local networks only).
      if (input.local?.seed) venueContracts.UniswapV3Trader = m.contract("UniswapV3Trader", []);
    }

    const late: Future[] = [];
    let previous: Future[] = wiring;
    if (input.local?.seed && !v3) {
      // Seed the pool at the peg, one step after another (each needs the previous one's effect).
      const quote = localTokens[quoteSymbol];
      const s = seedAmounts(params.collateral.quote, params.poolDepth, params.seedEquity);
      const step = (f: Future) => {
        previous = [f];
        late.push(f);
      };
      step(
        m.call(quote, "mint", [input.deployer, s.mintDeposit + s.quoteSide + s.equity], {
          id: "seedMintQuote",
          after: previous,
        }),
      );
      step(
        m.call(quote, "approve", [reserve, s.mintDeposit + s.equity], { id: "seedApproveReserve", after: previous }),
      );
      step(
        m.call(reserve, "mint", [quote, s.mintDeposit, s.tokenSide, input.deployer], {
          id: "seedMintStable",
          after: previous,
        }),
      );
      step(m.call(stable, "transfer", [pool, s.tokenSide], { id: "seedPoolToken", after: previous }));
      step(m.call(quote, "transfer", [pool, s.quoteSide], { id: "seedPoolQuote", after: previous }));
      step(m.call(pool, "mint", [input.deployer], { id: "seedPoolMint", after: previous }));
      step(m.call(reserve, "contribute", [quote, s.equity], { id: "seedEquity", after: previous }));
    }
    if (input.local) {
      input.local.fundedAccounts.forEach((account, i) => {
        for (const c of collaterals) {
          const amount = input.local!.amountBySymbol[c.symbol];
          if (amount === undefined) continue;
          late.push(
            m.call(localTokens[c.symbol], "mint", [account, parseUnits(amount, c.decimals)], {
              id: `fund${i}${c.symbol}`,
              after: previous,
            }),
          );
        }
      });
    }

    if (input.handoverAdmin) {
      // Hand DEFAULT_ADMIN_ROLE to the configured admin (e.g. a TimelockController), then drop the
      // deployer's, after every step that needed it.
      const all = [...wiring, ...late];
      const named: Record<string, AnyContract> = {
        BallastDollar: stable,
        PriceOracle: oracle,
        Reserve: reserve,
        CollateralPolicy: policy,
        MarketOperator: operator,
      };
      if (venueContracts.LiquidityManager) named.LiquidityManager = venueContracts.LiquidityManager;
      const grants = Object.entries(named).map(([name, c]) =>
        m.call(c, "grantRole", [ROLES.DEFAULT_ADMIN_ROLE, input.handoverAdmin!], {
          id: `grantAdmin${name}`,
          after: all,
        }),
      );
      for (const [name, c] of Object.entries(named)) {
        m.call(c, "renounceRole", [ROLES.DEFAULT_ADMIN_ROLE, input.deployer], {
          id: `renounceAdmin${name}`,
          after: grants,
        });
      }
    }

    return {
      BallastDollar: stable,
      PriceOracle: oracle,
      Reserve: reserve,
      CollateralPolicy: policy,
      MarketOperator: operator,
      Pool: pool,
      [v3 ? "UniswapV3Factory" : "UniswapV2Factory"]: factory,
      ...venueContracts,
      ...results,
    };
  });
}

type ModuleBuilder = Parameters<Parameters<typeof buildModule>[1]>[0];
type Venue = { factory: AnyContract; pool: AnyContract; oracle: AnyContract };

/** The V2 pair (a new local factory's, or an existing factory's) and the PriceOracle that observes it. */
function v2Venue(
  m: ModuleBuilder,
  input: BallastModuleInput,
  stable: AnyContract,
  quoteToken: AnyContract | string,
  twapWindowSec: number,
): Venue {
  const factory = input.local
    ? m.contract("UniswapV2Factory", UNISWAP_V2_FACTORY_ARTIFACT, [input.deployer])
    : m.contractAt("UniswapV2Factory", UNISWAP_V2_FACTORY_ARTIFACT, input.external!.uniswapV2Factory);
  const createPair = m.call(factory, "createPair", [stable, quoteToken]);
  const poolAddress = m.readEventArgument(createPair, "PairCreated", "pair", { emitter: factory, id: "PoolAddress" });
  const pool = m.contractAt("UniswapV2Pair", UNISWAP_V2_PAIR_ARTIFACT, poolAddress, { id: "Pool" });
  const oracle = m.contract("PriceOracle", [input.deployer, pool, stable, quoteToken, twapWindowSec]);
  return { factory, pool, oracle };
}

/** A local V3 factory (the tier enabled when it is not a default one), the pool at the tier, and PriceOracleV3 reading it. */
function v3Venue(
  m: ModuleBuilder,
  venue: V3VenueParams,
  stable: AnyContract,
  quoteToken: AnyContract | string,
  deployer: string,
  twapWindowSec: number,
): Venue {
  const factory = m.contract("UniswapV3Factory", UNISWAP_V3_FACTORY_ARTIFACT, []);
  const tier = V3_FACTORY_DEFAULT_TIERS.includes(venue.feePips)
    ? []
    : [m.call(factory, "enableFeeAmount", [venue.feePips, V3_TICK_SPACING[venue.feePips]])];
  const createPool = m.call(factory, "createPool", [stable, quoteToken, venue.feePips], { after: tier });
  const poolAddress = m.readEventArgument(createPool, "PoolCreated", "pool", { emitter: factory, id: "PoolAddress" });
  const pool = m.contractAt("UniswapV3Pool", UNISWAP_V3_POOL_ARTIFACT, poolAddress, { id: "Pool" });
  const oracle = m.contract("PriceOracleV3", [deployer, pool, stable, quoteToken, twapWindowSec], {
    id: "PriceOracle",
  });
  return { factory, pool, oracle };
}
