/**
 * The address book: `deployments/<network>.json`, written by the deploy, read by the keeper and
 * the scripts. One schema for all of them, validated field by field so a bad file is reported with
 * the field that is wrong; addresses come back checksummed.
 */
import { readFileSync } from "node:fs";
import { getAddress, isAddress } from "ethers";
import { z } from "zod";
import type { ConfigIssue } from "../errors";

/** An address in any case; comes back checksummed. */
export const addressSchema = z
  .string({ required_error: "missing", invalid_type_error: "must be an address string" })
  .refine((v) => isAddress(v), { message: "is not a valid address" })
  .transform((v) => getAddress(v));

export const addressBookSchema = z.object({
  chainId: z.number({ required_error: "missing", invalid_type_error: "must be a number" }).int().positive(),
  /** The market venue: the Uniswap V2 pair (absent means v2) or a Uniswap V3 pool. */
  venue: z.enum(["v2", "v3"], { invalid_type_error: 'must be "v2" or "v3"' }).optional(),
  contracts: z.object(
    {
      BallastDollar: addressSchema,
      PriceOracle: addressSchema,
      Reserve: addressSchema,
      CollateralPolicy: addressSchema,
      MarketOperator: addressSchema,
      Pool: addressSchema,
      USDC: addressSchema,
      WETH: addressSchema,
      feeds: z.object({ USDC: addressSchema, WETH: addressSchema }, { required_error: "missing" }),
      /** The V3 venue's protocol-owned liquidity. */
      LiquidityManager: addressSchema.optional(),
    },
    { required_error: "missing" },
  ),
});

export type AddressBook = z.infer<typeof addressBookSchema>;

/** Reads and validates an address book; problems come back as issues named `addressBook.<path>`. */
export function readAddressBookFile(file: string): { book?: AddressBook; issues: ConfigIssue[] } {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === "ENOENT"
        ? "file not found (deploy first: npm run deploy -- --network <name>)"
        : String((err as Error).message);
    return { issues: [{ field: "addressBook", message: `${file}: ${why}` }] };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { issues: [{ field: "addressBook", message: `${file}: not valid JSON (${(err as Error).message})` }] };
  }
  const parsed = addressBookSchema.safeParse(json);
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.map((i) => ({
        field: ["addressBook", ...i.path].join("."),
        message: `${i.message} (in ${file})`,
      })),
    };
  }
  return { book: parsed.data, issues: [] };
}
