/**
 * The steps after "connect" (map, reconcile, with "Invite your accountant" under them, the review before sharing and
 * the done screen with the consent receipt): their views and effects, in
 * a module of their own that app.js loads with `import()` when the owner first needs them (the build serves it as
 * frame/later.js), so that the first step loads only what it shows. What it shares with the first step's code comes
 * from the one bundle (scripts/bundle.js). The accountant's page imports it directly.
 */
import { inviteEffects } from "./invite_effects.js";
import { renderInvite } from "./invite_view.js";
import { mapEffects } from "./map/effects.js";
import { renderMap } from "./map/view.js";
import { reconcileEffects } from "./reconcile/effects.js";
import { renderReconcile } from "./reconcile/view.js";
import { reviewEffects } from "./review/effects.js";
import { receiptActions, renderReview } from "./review/view.js";
import { STEP } from "./steps.js";
import { done } from "./view.js";

/** A step's view with "Invite your accountant" at its end (when the session may invite). */
function withInvite(view) {
  return (state, ctx) => {
    const node = view(state, ctx);
    const invite = renderInvite(state, ctx);
    if (invite) node.append(invite);
    return node;
  };
}

/** Each later step's view, by step. */
export const LATER_VIEWS = Object.freeze({
  [STEP.MAP]: withInvite(renderMap),
  [STEP.RECONCILE]: withInvite(renderReconcile),
  [STEP.REVIEW]: renderReview,
  [STEP.DONE]: (state, ctx) => done(state, ctx, receiptActions((state.result && state.result.consent) || null, ctx)),
});

/**
 * Start the later steps' effects.
 * @param {import("./effects.js").Io} io
 * @param {ReturnType<import("./dom.js").stepPage> & {locale: string, today: () => string, print: () => void,
 *   download: typeof import("./dom.js").saveFile}} page the step's fields, focus and clipboard (dom.js's stepPage),
 *   the owner's locale, today's date (YYYY-MM-DD), printing and saving a file
 * @returns {{load: Record<string, () => Promise<void>>, actions: Record<string, Function>}} each step's loader, by
 *   step, and the actions the views call
 */
export function laterEffects(io, page) {
  const map = mapEffects(io);
  const reconcile = reconcileEffects(io, page);
  const invite = inviteEffects(io, page);
  const review = reviewEffects(io, page);
  return {
    load: {
      [STEP.MAP]: () => map.load(),
      [STEP.RECONCILE]: () => reconcile.load(),
      [STEP.REVIEW]: () => review.load(),
    },
    actions: { ...map.actions, ...reconcile.actions, ...invite.actions, ...review.actions },
  };
}
