/**
 * The one table of action names: what logs (`action` field), metrics (`ballast_actions_total{action}`),
 * journal keys and the status page call each of the keeper's actions (the operator's, and CollateralPolicy.refresh()).
 */
import { Action } from "./operator";

export const ACTION_NAMES = {
  [Action.None]: "none",
  [Action.Expand]: "expand",
  [Action.Contract]: "contract",
  [Action.Rebalance]: "rebalance",
  [Action.Refresh]: "refresh",
} as const satisfies Record<Action, string>;

export type ActionName = (typeof ACTION_NAMES)[Action];
/** The names of the actions that send a transaction. */
export type OperationName = Exclude<ActionName, "none">;

export function actionName<A extends Action>(action: A): (typeof ACTION_NAMES)[A] {
  return ACTION_NAMES[action];
}
