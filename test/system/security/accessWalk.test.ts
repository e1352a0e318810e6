/**
 * Walks the ABI of every protocol contract: each state-changing function is either role-guarded
 * (a stranger's call reverts with the exact AccessControlUnauthorizedAccount(stranger, role) or
 * NotKeeper(stranger)) or on the explicit allowlist of intentionally public functions below, with
 * the reason it is safe. A new mutator that is in neither list fails this test until someone
 * decides which it is. [INV-9]
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, type BaseContract, type FunctionFragment, type ParamType } from "ethers";
import { deploySystemFixture, type Fixture } from "../../support/system";

const ADMIN = "DEFAULT_ADMIN_ROLE";

/** Role each guarded mutator needs; "KEEPER" means the operator's NotKeeper gate. */
const GUARDED: Record<string, Record<string, string>> = {
  BallastDollar: { mint: "MINTER_ROLE", grantRole: ADMIN, revokeRole: ADMIN },
  PriceOracle: {
    setFeed: ADMIN,
    setTwapWindow: ADMIN,
    grantRole: ADMIN,
    revokeRole: ADMIN,
    setBackupFeed: ADMIN,
    setSequencerUptimeFeed: ADMIN,
  },
  Reserve: {
    listAsset: ADMIN,
    setAssetConfig: ADMIN,
    setStrategy: ADMIN,
    setRecoveryFees: ADMIN,
    setBufferTolerance: ADMIN,
    setValuationMaxAge: ADMIN,
    setCollateralPolicy: ADMIN,
    setValueSource: ADMIN,
    unpause: ADMIN,
    unpauseRedemptions: ADMIN,
    grantRole: ADMIN,
    revokeRole: ADMIN,
    setStableLane: ADMIN,
    setRedeemSpread: ADMIN,
    setDegradedRedeemCap: ADMIN,
    emergencyWithdraw: ADMIN,
    writeOffStrategy: ADMIN,
    delistAsset: ADMIN,
    pause: "GUARDIAN_ROLE",
    pauseRedemptions: "GUARDIAN_ROLE",
    depositFromOperator: "OPERATOR_ROLE",
    releaseToOperator: "OPERATOR_ROLE",
    rebalance: "OPERATOR_ROLE",
  },
  CollateralPolicy: { setParams: ADMIN, grantRole: ADMIN, revokeRole: ADMIN },
  MarketOperator: {
    setLimits: ADMIN,
    setBand: ADMIN,
    setSizing: ADMIN,
    setAutomationForwarder: ADMIN,
    setPermissionless: ADMIN,
    unpause: ADMIN,
    grantRole: ADMIN,
    revokeRole: ADMIN,
    pause: "GUARDIAN_ROLE",
    expandSupply: "KEEPER",
    contractSupply: "KEEPER",
    expandSupplyAtPrice: "KEEPER",
    contractSupplyAtPrice: "KEEPER",
    rebalance: "KEEPER",
    performUpkeep: "KEEPER",
  },
};

/** Intentionally public mutators, and why each is safe for anyone to call. */
const PUBLIC: Record<string, Record<string, string>> = {
  BallastDollar: {
    transfer: "ERC-20: moves only the caller's balance",
    transferFrom: "ERC-20: spends the caller's allowance",
    approve: "ERC-20: sets the caller's allowance",
    permit: "EIP-2612: needs the owner's signature",
    burn: "burns only the caller's balance",
    burnFrom: "burns only with the holder's allowance",
    renounceRole: "a caller can only give up its own role",
  },
  PriceOracle: {
    update: "records the pool's cumulative price; a same-block trade cannot move it",
    recordPrices: "records only the feeds' own fresh valid answers, and only a newer round",
    renounceRole: "a caller can only give up its own role",
  },
  Reserve: {
    mint: "users mint at the peg against collateral (rule 4 bounds)",
    redeem: "users redeem at the peg (rule 4 bounds, pro-rata when short)",
    contribute: "adds equity; the caller gets nothing back",
    poke: "prices the reserve and caches it; moves nothing (the caller pays the gas)",
    renounceRole: "a caller can only give up its own role",
  },
  CollateralPolicy: {
    refresh: "rate-limited by its cooldown; moves the target by one bounded step",
    renounceRole: "a caller can only give up its own role",
  },
  MarketOperator: { renounceRole: "a caller can only give up its own role" },
};

function defaultArg(param: ParamType, f: Fixture): unknown {
  if (param.baseType === "tuple") return param.components!.map((c) => defaultArg(c, f));
  if (param.baseType === "array") return [];
  if (param.type === "address") return f.stranger.address;
  if (param.type === "bool") return true;
  if (param.type.startsWith("uint") || param.type.startsWith("int")) return 1n;
  if (param.type === "bytes32") return ethers.ZeroHash;
  if (param.type === "bytes") return AbiCoder.defaultAbiCoder().encode(["uint8", "uint256", "uint256"], [1, 1n, 0n]);
  if (param.type === "string") return "";
  if (param.type.startsWith("bytes")) return "0x" + "00".repeat(Number(param.type.slice(5)));
  throw new Error(`no default for ${param.type}`);
}

function contractsOf(f: Fixture): [string, BaseContract][] {
  return [
    ["BallastDollar", f.stable],
    ["PriceOracle", f.oracle],
    ["Reserve", f.reserve],
    ["CollateralPolicy", f.policy],
    ["MarketOperator", f.operator],
  ];
}

describe("Access walk: every external mutator is role-guarded or intentionally public [INV-9]", function () {
  it("every mutator of every protocol contract is classified exactly once", async function () {
    const f = await loadFixture(deploySystemFixture);
    const problems: string[] = [];
    for (const [name, contract] of contractsOf(f)) {
      const mutators = contract.interface.fragments
        .filter((x): x is FunctionFragment => x.type === "function")
        .filter((fn) => fn.stateMutability !== "view" && fn.stateMutability !== "pure")
        .map((fn) => fn.name);
      for (const fn of mutators) {
        const guarded = fn in (GUARDED[name] ?? {});
        const open = fn in (PUBLIC[name] ?? {});
        if (guarded === open) problems.push(`${name}.${fn}: ${guarded ? "in both lists" : "unclassified"}`);
      }
      for (const fn of [...Object.keys(GUARDED[name] ?? {}), ...Object.keys(PUBLIC[name] ?? {})]) {
        if (!mutators.includes(fn)) problems.push(`${name}.${fn}: listed but not a mutator in the ABI`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it("a stranger calling any guarded mutator gets the exact access error, whatever the arguments", async function () {
    const f = await loadFixture(deploySystemFixture);
    let checked = 0;
    for (const [name, contract] of contractsOf(f)) {
      for (const [fn, roleName] of Object.entries(GUARDED[name])) {
        const fragment = contract.interface.getFunction(fn)!;
        const args = fragment.inputs.map((p) => defaultArg(p, f));
        const call = (contract.connect(f.stranger) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[
          fn
        ](...args);
        const label = `${name}.${fn}`;
        if (roleName === "KEEPER") {
          await expect(call, label).to.be.revertedWithCustomError(contract, "NotKeeper").withArgs(f.stranger.address);
        } else {
          const role = roleName === ADMIN ? ethers.ZeroHash : ethers.id(roleName);
          await expect(call, label)
            .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
            .withArgs(f.stranger.address, role);
        }
        checked++;
      }
    }
    expect(checked).to.equal(Object.values(GUARDED).reduce((n, m) => n + Object.keys(m).length, 0));
  });

  it("the guardian holds no power beyond pausing: every admin mutator refuses it", async function () {
    const f = await loadFixture(deploySystemFixture);
    for (const [name, contract] of contractsOf(f)) {
      for (const [fn, roleName] of Object.entries(GUARDED[name])) {
        if (roleName !== ADMIN) continue;
        const args = contract.interface.getFunction(fn)!.inputs.map((p) => defaultArg(p, f));
        const call = (contract.connect(f.guardian) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[
          fn
        ](...args);
        await expect(call, `${name}.${fn}`)
          .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
          .withArgs(f.guardian.address, ethers.ZeroHash);
      }
    }
  });

  it("intentionally public mutators never answer a stranger with an access error", async function () {
    const f = await loadFixture(deploySystemFixture);
    const accessErrors = new Set(["AccessControlUnauthorizedAccount", "NotKeeper"]);
    for (const [name, contract] of contractsOf(f)) {
      for (const fn of Object.keys(PUBLIC[name])) {
        if (fn === "renounceRole") continue; // covered by the bad-input table (AccessControlBadConfirmation)
        const args = contract.interface.getFunction(fn)!.inputs.map((p) => defaultArg(p, f));
        try {
          await (
            contract.connect(f.stranger) as unknown as Record<
              string,
              { staticCall: (...a: unknown[]) => Promise<unknown> }
            >
          )[fn].staticCall(...args);
        } catch (error) {
          const data = (error as { data?: string }).data;
          const parsed = data ? contract.interface.parseError(data) : null;
          expect(parsed && accessErrors.has(parsed.name), `${name}.${fn} answered ${parsed?.name}`).to.not.equal(true);
        }
      }
    }
  });
});
