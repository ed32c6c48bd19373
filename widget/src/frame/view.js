/**
 * The frame's views: the shell (header, step area, footer, live region) and the table of each step's view; the
 * session's own steps (loading, expired, done) are here, the others in their step's folder.
 */
import { h } from "./dom.js";
import { credentials, mfa, upload } from "./connect/forms_view.js";
import { blocked, catalogue, denied, failed, popup, sync } from "./connect/view.js";
import { renderMap } from "./map/view.js";
import { actionsRow, button, stepBox, waiting } from "./parts.js";
import { renderReconcile } from "./reconcile/view.js";
import { receiptActions, renderReview } from "./review/view.js";
import { STEP } from "./steps.js";

function expired(state, ctx) {
  const { t, actions } = ctx;
  return stepBox(
    t("expired.title"),
    // Without a lender's name (a token the broker could not read), "start again from Your lender" would make no sense.
    h("p", { role: "alert" }, ctx.named ? t("expired.body", { lender: ctx.lender }) : t("expired.bodyGeneric")),
    actionsRow(button(t("close"), actions.close, "primary")),
  );
}

function loading(state, ctx) {
  return h("div", { className: "step step-loading" }, waiting(ctx.t("loading")));
}

function done(state, ctx) {
  const { t } = ctx;
  return stepBox(
    t("complete.title"),
    h("p", {}, t("complete.body", { lender: ctx.lender })),
    receiptActions((state.result && state.result.consent) || null, ctx),
    // The host hears of the success when the owner leaves this screen: until then the receipt is theirs to keep.
    actionsRow(button(t("share.done"), ctx.actions.close, "primary", { id: "done-close" })),
  );
}

const VIEWS = Object.freeze({
  [STEP.LOADING]: loading,
  [STEP.CATALOGUE]: catalogue,
  [STEP.POPUP]: popup,
  [STEP.BLOCKED]: blocked,
  [STEP.CREDENTIALS]: credentials,
  [STEP.MFA]: mfa,
  [STEP.UPLOAD]: upload,
  [STEP.SYNC]: sync,
  [STEP.DENIED]: denied,
  [STEP.FAILED]: failed,
  [STEP.COMPLETING]: loading,
  [STEP.DONE]: done,
  [STEP.EXPIRED]: expired,
  [STEP.MAP]: renderMap,
  [STEP.RECONCILE]: renderReconcile,
  [STEP.REVIEW]: renderReview,
});

/**
 * Render the step of `state` (registered later steps fall back to the loading view until they add their own).
 * @param {Record<string, any>} state
 * @param {import("./connect/view.js").Ctx} ctx
 * @returns {HTMLElement}
 */
export function renderStep(state, ctx) {
  return (VIEWS[state.step] || loading)(state, ctx);
}

/**
 * The frame's chrome: header (logo, lender name, close), the step area, a footer and the polite live region.
 * @param {{t: Function, lender: string, logoUrl: string | null, onClose: () => void}} spec
 */
export function renderShell({ t, lender, logoUrl, onClose }) {
  return h(
    "div",
    { className: "shell" },
    h(
      "header",
      { className: "bar" },
      logoUrl
        ? h("img", { className: "logo", src: logoUrl, alt: t("logoAlt", { lender }), referrerpolicy: "no-referrer" })
        : null,
      h("span", { className: "brand" }, lender),
      h(
        "button",
        { type: "button", className: "icon-btn", id: "close", "aria-label": t("close"), onclick: onClose },
        h("span", { "aria-hidden": "true" }, "×"),
      ),
    ),
    h("main", { id: "main", className: "content" }),
    h("footer", { className: "foot" }, h("span", { className: "lock", "aria-hidden": "true" }), t("poweredBy")),
    h("div", { id: "live", className: "sr-only", role: "status", "aria-live": "polite", "aria-atomic": "true" }),
  );
}
