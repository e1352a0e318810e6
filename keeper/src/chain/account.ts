/**
 * The keeper's signing account from its key source. On local networks with no key configured it
 * uses the well-known local keeper account (Hardhat's default mnemonic) that holds KEEPER_ROLE.
 */
import { HDNodeWallet, Wallet, type Provider } from "ethers";
import { ConfigError } from "../errors";
import type { KeySource } from "../config/key";
import type { MarketOperator } from "./contracts";

/** Hardhat's and Anvil's public development mnemonic: local networks only, never real funds. */
export const LOCAL_DEV_MNEMONIC = "test test test test test test test test test test test junk";
/** The account index the local deploy grants KEEPER_ROLE to (deploy/parameters.ts LOCAL_ACCOUNTS.keeper). */
export const LOCAL_KEEPER_INDEX = 2;

export interface KeeperAccount {
  wallet: Wallet | HDNodeWallet;
  address: string;
  /** How the key was obtained, for the logs (never the key itself). */
  origin: string;
}

export async function resolveAccount(
  source: KeySource,
  provider: Provider,
  operator: MarketOperator,
): Promise<KeeperAccount> {
  if (source.kind === "private-key") {
    const wallet = new Wallet(source.key.reveal(), provider);
    return { wallet, address: wallet.address, origin: "BALLAST_KEEPER_KEY" };
  }
  if (source.kind === "keystore") {
    let decrypted;
    try {
      decrypted = await Wallet.fromEncryptedJson(source.json.reveal(), source.password.reveal());
    } catch {
      throw new ConfigError([
        { field: "BALLAST_KEYSTORE_PASSWORD_FILE", message: `cannot decrypt ${source.file} with this password` },
      ]);
    }
    const wallet = decrypted.connect(provider);
    return { wallet, address: wallet.address, origin: `keystore ${source.file}` };
  }
  // Local networks: prefer the deploy's keeper index, else any dev account holding KEEPER_ROLE.
  const role = await operator.KEEPER_ROLE();
  const order = [
    LOCAL_KEEPER_INDEX,
    ...Array.from({ length: 10 }, (_, i) => i).filter((i) => i !== LOCAL_KEEPER_INDEX),
  ];
  for (const index of order) {
    const wallet = HDNodeWallet.fromPhrase(LOCAL_DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).connect(provider);
    if (await operator.hasRole(role, wallet.address)) {
      return {
        wallet,
        address: wallet.address,
        origin: `local keeper account #${index} (development mnemonic; no BALLAST_KEEPER_KEY given)`,
      };
    }
  }
  throw new ConfigError([
    {
      field: "BALLAST_KEEPER_KEY",
      message: "no key given and no local development account holds KEEPER_ROLE on the MarketOperator",
    },
  ]);
}
