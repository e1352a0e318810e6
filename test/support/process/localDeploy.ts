/**
 * Ballast on a running `hardhat node`, deployed through the same wiring as `npm run deploy`
 * (scripts/devnet/deploy.ts), with the address book in a temporary directory the keeper reads.
 */
export { deployToNode as deployOnNode, type NodeDeployment as LocalDeployment } from "../../../scripts/devnet/deploy";
