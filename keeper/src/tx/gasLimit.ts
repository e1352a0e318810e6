/** The one gas buffer: a gas limit is the estimate plus `bufferBps`, rounded up (toward not running out). */
const BPS = 10_000n;

export function gasLimitWithBuffer(estimate: bigint, bufferBps: number): bigint {
  return (estimate * (BPS + BigInt(bufferBps)) + BPS - 1n) / BPS;
}
