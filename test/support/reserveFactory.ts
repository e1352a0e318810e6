/**
 * A Reserve factory for tests that deploy a Reserve of their own: the Reserve links its cold code,
 * the ReserveAdmin library (contracts/libraries/ReserveAdmin.sol), deployed here first.
 */
import type { Signer } from "ethers";
import { ReserveAdmin__factory, Reserve__factory } from "../../typechain-types";

export const RESERVE_ADMIN_LINK = "contracts/libraries/ReserveAdmin.sol:ReserveAdmin";

export async function reserveFactory(signer: Signer): Promise<Reserve__factory> {
  const library = await new ReserveAdmin__factory(signer).deploy();
  return new Reserve__factory({ [RESERVE_ADMIN_LINK]: await library.getAddress() }, signer);
}
