/**
 * The frame's views: the shell (header, step area, footer, live region) and the table of each step's view; the
 * session's own steps (loading, expired, done) are here, the others in their step's folder.
 */
import { h } from "./dom.js";
import { credentials, mfa, upload } from "./connect/forms_view.js";
import { syncFinished } from "./connect/state.js";
import {
  blocked,
  catalogue,
  denied,
  failed,
  popup,
  renderCatalogueActions,
  renderProgress,
  renderResults,
  sync,
} from "./connect/view.js";
import { actionsRow, button, stepBox, waiting } from "./parts.js";
import { reconnect, resumeOffer } from "./resume/view.js";
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

/**
 * The done screen; `receipt` is what later.js adds: the consent receipt's download and link.
 * @param {Record<string, any>} state @param {Record<string, any>} ctx @param {HTMLElement | null} [receipt]
 */
export function done(state, ctx, receipt = null) {
  const { t } = ctx;
  return stepBox(
    t("complete.title"),
    h("p", {}, t("complete.body", { lender: ctx.lender })),
    receipt,
    // The host hears of the success when the owner leaves this screen: until then the receipt is theirs to keep.
    actionsRow(button(t("complete.done"), ctx.actions.close, "primary", { id: "done-close" })),
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
  [STEP.RESUME]: resumeOffer,
  [STEP.RECONNECT]: reconnect,
});

/**
 * Render the step of `state`: the later steps' views come with their module (`ctx.laterViews`, see later.js, which
 * also gives the done screen its receipt); until it has loaded they show the loading view.
 * @param {Record<string, any>} state
 * @param {import("./connect/view.js").Ctx & {laterViews?: Record<string, Function>}} ctx
 * @returns {HTMLElement}
 */
export function renderStep(state, ctx) {
  return ((ctx.laterViews && ctx.laterViews[state.step]) || VIEWS[state.step] || loading)(state, ctx);
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

/** The steps whose screen shows connection status (sync polling re-renders only these). */
export const SHOWS_CONNECTIONS = new Set([STEP.CATALOGUE, STEP.SYNC]);

/**
 * Show `state` in `page.main`: a new step is rendered whole; on the same step the catalogue and the sync progress
 * are patched in place, and any other step is re-rendered keeping what the owner typed and where the focus was.
 * @param {{main: HTMLElement, renderedStep: string | null, renderedResults: string | null}} page what is on screen
 * @param {Record<string, any>} state
 * @param {Record<string, any> | null} previous the state before, or null for the first render
 * @param {Record<string, any>} ctx
 */
export function renderChange(page, state, previous, ctx) {
  const { main } = page;
  const before = previous && previous.step;
  if (state.step !== page.renderedStep) {
    page.renderedStep = state.step;
    page.renderedResults = resultsKey(state);
    main.replaceChildren(renderStep(state, ctx));
    const title = main.querySelector(".step-title");
    if (title && before) title.focus();
    else if (state.step === STEP.CATALOGUE) main.querySelector("#search")?.focus();
    return;
  }
  if (state.step === STEP.CATALOGUE) {
    // Sync polling dispatches often; replacing the list under the owner's pointer would swallow a click.
    const listed = resultsKey(state);
    if (listed === page.renderedResults) return;
    page.renderedResults = listed;
    main.querySelector("#results")?.replaceWith(renderResults(state, ctx));
    main.querySelector("#catalogue-actions")?.replaceWith(renderCatalogueActions(state, ctx));
  } else if (state.step === STEP.SYNC) {
    main.querySelector("#progress")?.replaceWith(renderProgress(state, ctx));
    const continueButton = main.querySelector(".btn-primary");
    if (continueButton && syncFinished(state)) {
      continueButton.removeAttribute("aria-disabled");
      continueButton.removeAttribute("aria-describedby");
      main.querySelector("#sync-hint")?.remove();
      const body = main.querySelector("#sync-body");
      if (body) body.textContent = ctx.t("sync.bodyDone");
    }
  } else {
    const focused = document.activeElement && document.activeElement.id;
    // A field the last answer just rejected starts empty; anything else the owner typed survives the re-render.
    const rejected = previous && state.formError !== previous.formError && state.formError && state.formError.field;
    const typed = keptValues(main, rejected);
    main.replaceChildren(renderStep(state, ctx));
    restoreValues(main, typed);
    const invalid = main.querySelector('[aria-invalid="true"]');
    const target = invalid || (focused && main.querySelector(`#${focused}`)) || main.querySelector(".step-title");
    target?.focus();
    if (target && target.id === focused && typeof target.setSelectionRange === "function" && target.type === "search")
      target.setSelectionRange(target.value.length, target.value.length);
  }
}

/**
 * What the owner typed in the step's fields, so that a re-render (sync progress, an inline error) does not wipe it.
 * The field the error is about is not kept (a wrong password or code is typed again); files cannot be set back. The
 * values only move from the old inputs to the new ones: nothing is stored.
 */
function keptValues(root, invalidField) {
  const kept = new Map();
  for (const input of root.querySelectorAll("input[name]")) {
    if (input.type === "file" || input.type === "checkbox" || !input.value || input.name === invalidField) continue;
    kept.set(input.name, input.value);
  }
  return kept;
}

function restoreValues(root, kept) {
  for (const [name, value] of kept) {
    const input = root.querySelector(`input[name="${name}"]`);
    if (input && !input.value) input.value = value;
  }
}

/** What the catalogue's result list shows: it is only rebuilt when this changes. */
function resultsKey(state) {
  const apps = state.apps.map((a) => [a.key, a.connected, a.status]);
  return JSON.stringify([state.query, state.category, state.preselected, state.categories, apps, syncFinished(state)]);
}
