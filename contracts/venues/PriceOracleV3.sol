// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {PriceOracle} from "../PriceOracle.sol";
import {IUniswapV3PoolMinimal} from "../interfaces/IUniswapV3PoolMinimal.sol";
import {WAD} from "../libraries/Constants.sol";
import {UniswapV3Price} from "./UniswapV3Price.sol";

/// @title PriceOracleV3: {PriceOracle} on a Uniswap V3 venue
/// @notice Collateral feeds exactly as {PriceOracle}. The token's market price comes from the V3
/// pool: spot from `slot0`, the TWAP from the pool's own oracle over `twapWindowSec` (the mean tick,
/// a geometric-mean price). The pool writes an observation on every block that trades, so the
/// TWAP is time-weighted without any keeper, and `update()` records nothing.
/// @dev The deploy raises the pool's observation cardinality to cover the window; until the
/// observations reach a full window back, `marketPrice` reverts with `TwapUnavailable`.
contract PriceOracleV3 is PriceOracle {
    bool private immutable _v3TokenIsToken0;
    uint256 private immutable _v3TokenUnit;
    uint256 private immutable _v3QuoteUnit;

    constructor(address admin, address pool_, address token_, address quoteAsset_, uint256 twapWindowSec_)
        PriceOracle(admin, pool_, token_, quoteAsset_, twapWindowSec_)
    {
        _v3TokenIsToken0 = IUniswapV3PoolMinimal(pool_).token0() == token_;
        _v3TokenUnit = 10 ** IERC20Metadata(token_).decimals();
        _v3QuoteUnit = 10 ** IERC20Metadata(quoteAsset_).decimals();
    }

    /// @dev The pool's own oracle always averages over exactly the window (or reverts), so the
    /// span is the window: a V3 TWAP is never stale for lack of keeper observations.
    function _marketPrice() internal view override returns (uint256 spotWad, uint256 twapWad, uint256 spanSec, uint256 quoteUsdWad) {
        quoteUsdWad = price(quoteAsset);
        IUniswapV3PoolMinimal v3 = IUniswapV3PoolMinimal(pool);
        uint160 sqrtPriceX96 = UniswapV3Price.spotSqrtPriceX96(v3);
        if (sqrtPriceX96 == 0) revert EmptyPool();
        spotWad = Math.mulDiv(
            UniswapV3Price.quotePerTokenWad(sqrtPriceX96, _v3TokenIsToken0, _v3TokenUnit, _v3QuoteUnit), quoteUsdWad, WAD
        );
        uint256 windowSec = twapWindowSec();
        (bool ok, int24 tick) = UniswapV3Price.meanTick(v3, uint32(windowSec));
        if (!ok) revert TwapUnavailable(0, windowSec);
        twapWad = Math.mulDiv(
            UniswapV3Price.quotePerTokenWadAtTick(tick, _v3TokenIsToken0, _v3TokenUnit, _v3QuoteUnit), quoteUsdWad, WAD
        );
        spanSec = windowSec;
    }

    /// @notice Never due: the V3 pool writes its own observations.
    function observationDue() public pure override returns (bool) {
        return false;
    }

    /// @notice The pool's oracle averages over exactly the window.
    function twapSpan() external view override returns (uint256 spanSec, uint256 windowSec) {
        windowSec = twapWindowSec();
        spanSec = windowSec;
    }

    /// @notice Records nothing: the V3 pool keeps its own observations.
    function update() external pure override returns (bool recorded) {
        return false;
    }
}
