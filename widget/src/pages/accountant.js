/**
 * The accountant's page (`/widget/v1/accountant#<token>`): opens the owner's invitation (POST /v1/invitations/accept,
 * the token in the body), then runs the frame's own map and reconcile steps (state, views and effects shared with
 * the frame, not copied) with the link token it got. That token carries `map` and `reconcile` only, so the page
 * starts at the map without the session call the frame's first step makes, and ends on a page of its own where the
 * frame would share.
 */
import { BrokerError, createBroker } from "../frame/api.js";
import { h, stepPage } from "../frame/dom.js";
import { tokenRejected } from "../frame/effects.js";
import { fetchFramedBy } from "../frame/host.js";
import { codeSentence } from "../frame/i18n.js";
import { LATER_VIEWS, laterEffects } from "../frame/later.js";
import { stepBox, waiting } from "../frame/parts.js";
import { initialState, reduce } from "../frame/state.js";
import { STEP } from "../frame/steps.js";
import { renderChange, renderShell } from "../frame/view.js";
import { loadWords, pageError, pageLocale, postPublic, tokenFromHash } from "./page.js";

/**
 * The frame's state for an accountant's session, at its first step (the map when the token may map).
 * @param {{scopes: string[], accountant_name: string, client_name: string, company_name: string}} opened what
 *   POST /v1/invitations/accept answered, without its token
 */
export function accountantState(opened) {
  const session = {
    scopes: opened.scopes,
    accountant: true,
    accountant_name: opened.accountant_name,
    client_name: opened.client_name,
    company_name: opened.company_name,
  };
  return { ...initialState(), session, step: opened.scopes.includes("map") ? STEP.MAP : STEP.RECONCILE };
}

async function start() {
  const locale = pageLocale(location.search, navigator.languages || []);
  // The invitation opens once: drop it from the address bar and the history before anything else.
  const token = tokenFromHash(location.hash);
  history.replaceState(null, "", location.pathname + location.search);
  const t = await loadWords(locale, ["frame", "later", "pages"]);
  document.documentElement.lang = locale;
  document.title = t("accountant.pageTitle");

  const shell = renderShell({ t, lender: "LedgerLink", logoUrl: null, onClose: () => {} });
  shell.querySelector("#close")?.remove(); // a page of its own: nothing to close
  document.body.replaceChildren(shell);
  const main = /** @type {HTMLElement} */ (shell.querySelector("#main"));
  const live = /** @type {HTMLElement} */ (shell.querySelector("#live"));
  const screen = (title, sentence) => {
    main.replaceChildren(stepBox(title, h("p", { role: "alert", id: "accountant-message" }, sentence)));
    main.querySelector(".step-title")?.focus();
  };
  main.replaceChildren(h("div", { className: "step" }, waiting(t("accountant.opening"))));
  if (!token) return screen(t("accountant.errorTitle"), t("accountant.error.no_token"));

  let opened;
  try {
    opened = await postPublic("/v1/invitations/accept", { token });
  } catch (error) {
    const code = error instanceof BrokerError ? error.code : "broker_error";
    return screen(t("accountant.errorTitle"), pageError(t, "accountant", code));
  }
  const { link_token: linkToken, ...about } = opened;
  const lender = about.client_name || t("lenderFallback");
  shell.querySelector(".brand").textContent = lender;
  const vars = { name: about.accountant_name, company: about.company_name, lender };
  main.before(h("p", { className: "page-welcome", id: "accountant-welcome" }, t("accountant.welcome", vars)));

  // The page is its own "parent": every call names the broker's origin, the token's.
  const broker = createBroker(linkToken, fetchFramedBy(location.origin));
  let state = accountantState(about);
  const ctx = { t, lender, locale, named: true, actions: {}, laterViews: LATER_VIEWS };
  const page = { main, renderedStep: null, renderedResults: null };

  function render(previous) {
    if (state.step === STEP.DONE) return own(t("accountant.doneTitle"), t("accountant.done", vars));
    if (state.step === STEP.EXPIRED) return own(t("accountant.expiredTitle"), t("accountant.expired"));
    if (state.step === STEP.FAILED) return own(t("accountant.errorTitle"), codeSentence(t, state.error.code, vars));
    renderChange(page, state, previous, ctx);
  }
  function own(title, sentence) {
    page.renderedStep = state.step;
    screen(title, sentence);
  }

  function dispatch(action) {
    const previous = state;
    state = reduce(state, action);
    // The date being typed is only kept for the re-renders to come (as in the frame).
    if (state !== previous && action.type !== "recon_date") render(previous);
    return state;
  }

  function fail(error) {
    const code = error instanceof BrokerError ? error.code : "broker_error";
    dispatch(tokenRejected(error) ? { type: "expired", error: { code } } : { type: "failed", error: { code } });
  }

  /** Load what the step just entered needs; where the frame would share, the accountant is done. */
  function enterStep() {
    if (state.step === STEP.COMPLETING) dispatch({ type: "completed", result: null });
    else if (later.load[state.step]) later.load[state.step]();
  }

  const announce = (text) => {
    live.textContent = "";
    window.setTimeout(() => (live.textContent = text), 50);
  };
  /** @type {import("../frame/effects.js").Io} */
  const io = {
    broker,
    getState: () => state,
    dispatch,
    emit: () => {},
    announce,
    fail,
    exited: () => false,
    enterStep,
    t,
  };
  const later = laterEffects(io, { ...stepPage(main), locale, today: () => new Date().toISOString().slice(0, 10) });
  Object.assign(ctx.actions, later.actions, { close: () => {} });

  render(null);
  main.querySelector(".step-title")?.focus();
  enterStep();
}

if (typeof document !== "undefined")
  start().catch((error) => {
    console.error("LedgerLink accountant page:", error);
    document.body.textContent = "This page could not load. Try again in a moment.";
  });
