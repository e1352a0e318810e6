/**
 * Deploys a full local system onto a running `hardhat node` over JSON-RPC (the same
 * deployLocalSystem the fixture uses), warms the TWAP, and writes the address book
 * into a temporary directory, so the keeper process reads it like a real deployment.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider, type JsonRpcSigner } from "ethers";
import { LOCAL_PARAMS } from "../../../deploy/parameters";
import { deployLocalSystem, seedPoolAtPeg } from "../../../deploy/system";
import { warmTwap } from "../../../deploy/localChain";

export interface LocalDeployment {
  provider: JsonRpcProvider;
  admin: JsonRpcSigner;
  guardian: JsonRpcSigner;
  keeperAddress: string;
  trader: JsonRpcSigner;
  dir: string;
  bookPath: string;
  book: {
    chainId: number;
    contracts: {
      BallastDollar: string; PriceOracle: string; Reserve: string; CollateralPolicy: string; MarketOperator: string; Pool: string; USDC: string; WETH: string;
      feeds: { USDC: string; WETH: string };
    };
  };
}

export async function deployOnNode(url: string): Promise<LocalDeployment> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  const [admin, guardian, keeper, , , trader] = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => provider.getSigner(i)));
  const system = await deployLocalSystem(LOCAL_PARAMS, { admin, guardian: guardian.address, keeper: keeper.address });
  await seedPoolAtPeg(system, admin, LOCAL_PARAMS.poolDepth, LOCAL_PARAMS.seedEquity);
  const [usdc, weth] = system.collaterals;
  const feeds = { USDC: await usdc.feed.getAddress(), WETH: await weth.feed.getAddress() };
  await warmTwap(provider, await system.oracle.getAddress(), Object.values(feeds), admin);
  const book = {
    chainId: Number((await provider.getNetwork()).chainId),
    contracts: {
      BallastDollar: await system.stable.getAddress(),
      PriceOracle: await system.oracle.getAddress(),
      Reserve: await system.reserve.getAddress(),
      CollateralPolicy: await system.policy.getAddress(),
      MarketOperator: await system.operator.getAddress(),
      Pool: await system.pair.getAddress(),
      USDC: await usdc.token.getAddress(),
      WETH: await weth.token.getAddress(),
      feeds,
    },
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), "ballast-keeper-e2e-"));
  const bookPath = path.join(dir, "localhost.json");
  writeFileSync(bookPath, JSON.stringify(book, null, 2));
  return { provider, admin, guardian, keeperAddress: keeper.address, trader, dir, bookPath, book };
}
