/**
 * The steps after "connect" (map, reconcile): their views and effects, in a module of their own that app.js loads
 * with `import()` when the owner first needs them (the build serves it as frame/later.js), so that the first step
 * loads only what it shows. What it shares with the first step's code comes from the one bundle (scripts/bundle.js).
 */
import { mapEffects } from "./map/effects.js";
import { renderMap } from "./map/view.js";
import { reconcileEffects } from "./reconcile/effects.js";
import { renderReconcile } from "./reconcile/view.js";
import { STEP } from "./steps.js";

/** Each later step's view, by step. */
export const LATER_VIEWS = Object.freeze({
  [STEP.MAP]: renderMap,
  [STEP.RECONCILE]: renderReconcile,
});

/**
 * Start the later steps' effects.
 * @param {import("./effects.js").Io} io
 * @param {Parameters<typeof reconcileEffects>[1]} page what the reconcile step reads of its page
 * @returns {{load: Record<string, () => Promise<void>>, actions: Record<string, Function>}} each step's loader, by
 *   step, and the actions the views call
 */
export function laterEffects(io, page) {
  const map = mapEffects(io);
  const reconcile = reconcileEffects(io, page);
  return {
    load: { [STEP.MAP]: () => map.load(), [STEP.RECONCILE]: () => reconcile.load() },
    actions: { ...map.actions, ...reconcile.actions },
  };
}
