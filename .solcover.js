// solidity-coverage: measure the protocol contracts only. contracts/test/ holds local test helpers
// and attack harnesses (test tokens, vault, feeds, attackers), which are not part of the protocol.
module.exports = {
  skipFiles: ["test/"],
};
