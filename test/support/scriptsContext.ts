/** A `ballast:*` task's SystemContext for an in-process fixture, as loadSystem builds it from the address book. */
import hre from "hardhat";
import { Contract } from "ethers";
import type { LocalSystem } from "../../scripts/devnet/deploy";
import { readV3Venue } from "../../keeper/src/chain/protocol";
import { UNISWAP_V2_PAIR_ABI, type SystemContext } from "../../scripts/lib/context";
import { addressBookOf } from "./system";

export async function systemContextOf(f: LocalSystem): Promise<SystemContext> {
  const book = await addressBookOf(f);
  const provider = hre.ethers.provider;
  return {
    hre,
    network: hre.network.name,
    book,
    stable: f.stable,
    oracle: f.oracle,
    reserve: f.reserve,
    policy: f.policy,
    operator: f.operator,
    pool: new Contract(book.contracts.Pool, UNISWAP_V2_PAIR_ABI, provider),
    v3Pool: await readV3Venue(book, provider),
  };
}
