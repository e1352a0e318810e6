/**
 * The address book: `deployments/<network>.json`, written by the deploy, read by
 * the keeper. Validated field by field so a bad file is reported with the field that is wrong.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { ConfigIssue } from "../errors";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "not a 0x-prefixed 20-byte hex address");

export const addressBookSchema = z.object({
  chainId: z.number().int().positive(),
  contracts: z
    .object({
      BallastDollar: address,
      PriceOracle: address,
      Reserve: address,
      CollateralPolicy: address,
      MarketOperator: address,
      Pool: address,
    })
    .catchall(z.unknown()),
});

export type AddressBook = z.infer<typeof addressBookSchema>;

/** Reads and validates an address book; problems come back as issues named `addressBook.<path>`. */
export function readAddressBookFile(file: string): { book?: AddressBook; issues: ConfigIssue[] } {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found (deploy first: npm run deploy -- --network <name>)" : String((err as Error).message);
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
      issues: parsed.error.issues.map((i) => ({ field: ["addressBook", ...i.path].join("."), message: `${i.message} (in ${file})` })),
    };
  }
  return { book: parsed.data, issues: [] };
}
