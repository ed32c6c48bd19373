/**
 * The frame's controller: the handshake with the host page, then the dispatch/render loop. Each step's effects
 * (connect/, map/, reconcile/effects.js) perform the broker calls, the OAuth popup and the polling; this module hands
 * them the broker client, the store and the window, and reports the session's events to the host.
 */
import { MESSAGE, TO_FRAME, acceptMessage } from "../messages.js";
import { BrokerError, createBroker } from "./api.js";
import { connectEffects } from "./connect/effects.js";
import { appByKey, syncFinished } from "./connect/state.js";
import { renderCatalogueActions, renderProgress, renderResults } from "./connect/view.js";
import { saveFile, trapFocus } from "./dom.js";
import { exitInvalidOptions, fetchFramedBy, hostOrigin, initOptionsProblem, sendHost } from "./host.js";
import { tokenRejected } from "./effects.js";
import { codeSentence, loadCatalogue, pickLocale, translator } from "./i18n.js";
import { mapEffects } from "./map/effects.js";
import { reconcileEffects } from "./reconcile/effects.js";
import { reviewEffects } from "./review/effects.js";
import { exitMetadata, initialState, reduce } from "./state.js";
import { STEP } from "./steps.js";
import { accentPalette, applyPalette } from "./theme.js";
import { renderShell, renderStep } from "./view.js";

function start() {
  const origin = hostOrigin();
  if (!origin) {
    document.body.textContent = "This page only works inside the LedgerLink widget.";
    return;
  }
  const mode = new URLSearchParams(location.search).get("mode") === "inline" ? "inline" : "modal";
  let initialised = false;
  // An `init` from our verified parent whose options fail their checks (the loader checks only names and types):
  // say which in the console, and end the widget with "invalid_options" once it is shown, rather than wait forever.
  const refuseInit = (event) => {
    const problem = initialised ? "" : initOptionsProblem(event, origin);
    if (!problem) return;
    initialised = true;
    console.error(`LinkWidget: ${problem} (see docs/widget.md, section 3)`);
    controller = { exit: () => {} };
    whenShown = () => exitInvalidOptions(origin, problem);
    if (shown) whenShown();
  };
  const onHostMessage = (event) => {
    const message = acceptMessage(event, { source: window.parent, origin, guards: TO_FRAME });
    if (!message) return refuseInit(event);
    if (message.type === MESSAGE.INIT && !initialised) {
      initialised = true;
      run(origin, mode, message.payload).catch((error) => console.error("LinkWidget frame:", error));
    } else if (message.type === MESSAGE.CLOSE && controller) {
      controller.exit(null, { reason: "host_exit" });
    } else if (message.type === MESSAGE.SHOW && !shown) {
      shown = true;
      whenShown();
    }
  };
  window.addEventListener("message", onHostMessage);
  sendHost(origin, MESSAGE.READY, {});
}

/** @type {{exit: (error: any, extra?: Record<string, string>) => void} | null} */
let controller = null;
// The loader builds the frame hidden when the host calls `create` and shows it on `open`: until then the frame
// loads its session and catalogue but holds back what it would tell the host, and leaves the focus alone.
let shown = false;
let whenShown = () => {};

/**
 * @param {string} origin the host page's origin
 * @param {"modal" | "inline"} mode
 * @param {{token: string, options: Record<string, any>}} init
 */
async function run(origin, mode, { token, options }) {
  const locale = pickLocale(options.locale, navigator.languages || []);
  const broker = createBroker(token, fetchFramedBy(origin));
  // The first step's data and its words travel together; a failed call is handled where it is awaited, below.
  const booting = broker.bootstrap();
  booting.catch(() => {});
  // One catalogue: every locale has every key (a node test checks it), so English is not fetched as a fallback.
  const t = translator(await loadCatalogue(locale));
  document.documentElement.lang = locale;
  document.title = t("title");
  const theme = options.theme || {};
  applyPalette(document.documentElement, accentPalette(theme.accent));
  document.documentElement.dataset.mode = mode;
  let lender = theme.name || t("lenderFallback");

  let state = initialState();
  let exited = false;

  const shell = renderShell({ t, lender, logoUrl: theme.logoUrl || null, onClose: () => ctx.actions.close() });
  document.body.replaceChildren(shell);
  const main = shell.querySelector("#main");
  const live = shell.querySelector("#live");
  if (mode === "modal") trapFocus(shell);

  const held = [];
  const post = (type, payload) => {
    if (exited) return false;
    if (!shown) return held.push([type, payload]) > 0;
    return sendHost(origin, type, payload);
  };
  whenShown = () => {
    for (const [type, payload] of held.splice(0)) sendHost(origin, type, payload);
    (main.querySelector("#search") || main.querySelector(".step-title"))?.focus();
  };
  const emit = (name, metadata) => post(MESSAGE.EVENT, { name, metadata });
  const announce = (text) => {
    live.textContent = "";
    window.setTimeout(() => (live.textContent = text), 50);
  };

  function exit(error, extra) {
    if (exited) return;
    if (state.step === STEP.DONE) return succeed();
    const metadata = { ...exitMetadata(state), ...extra };
    emit("exit", metadata);
    post(MESSAGE.EXIT, { error, metadata });
    exited = true;
    connect.stop();
  }
  controller = { exit };

  const ctx = { t, lender, locale, named: Boolean(theme.name), actions: {} };
  const page = { main, renderedStep: null, renderedResults: null };
  const render = (previous) => renderChange(page, state, previous, ctx);

  function dispatch(action) {
    const previous = state;
    state = reduce(state, action);
    // An attempt starting changes nothing on screen, and sync polling changes only what the catalogue and the sync
    // step show; re-rendering any other step would wipe the files, password or code the owner is entering.
    // Nor does the date the owner is typing: it is only kept in the state for the re-renders to come.
    const unseen =
      state.step === previous.step &&
      (action.type === "attempt_started" ||
        action.type === "recon_date" ||
        (action.type === "connections" && !SHOWS_CONNECTIONS.has(state.step)));
    if (state !== previous && !unseen) render(previous);
    return state;
  }

  /** The token was minted for another page than the one framing us: nothing can work here; say why and leave. */
  function refuseOrigin() {
    console.error(
      `LinkWidget: this link token was not minted for ${origin}. Mint it on your backend with "origin": "${origin}" ` +
        "(an origin registered for your broker client).",
    );
    emit("error", { code: "origin_mismatch", step: state.step, integration: null });
    exit({ code: "origin_mismatch", message: codeSentence(t, "origin_mismatch") });
  }

  function fail(error, integration = state.selected) {
    const code = error instanceof BrokerError ? error.code : "broker_error";
    if (code === "origin_mismatch") return refuseOrigin();
    if (tokenRejected(error)) {
      if (state.step === STEP.EXPIRED) return; // several calls in flight learn it at once; the host hears it once
      dispatch({ type: "expired", error: { code } });
      emit("error", { code, step: state.step, integration: null });
      return;
    }
    emit("error", { code, step: state.step, integration: integration || null });
    dispatch({ type: "failed", error: { code } });
  }

  /** Start what the step just entered needs: load its data, or finish the session. */
  function enterStep() {
    if (state.step === STEP.MAP) map.load();
    else if (state.step === STEP.RECONCILE) reconcile.load();
    else if (state.step === STEP.REVIEW) review.load();
    else if (state.step === STEP.COMPLETING) complete();
  }

  /** @type {import("./effects.js").Io} */
  const io = { broker, getState: () => state, dispatch, emit, announce, fail, exited: () => exited, enterStep, t };
  const connect = connectEffects(io, window);
  const map = mapEffects(io);
  const fields = {
    locale,
    fieldValue: (id) => main.querySelector(`#${id}`)?.value,
    focus: (id) => main.querySelector(`#${id}`)?.focus(),
    today: () => new Date().toISOString().slice(0, 10),
    print: () => window.print(),
    download: saveFile,
  };
  const reconcile = reconcileEffects(io, fields);
  const review = reviewEffects(io, fields);

  async function complete() {
    if (state.step !== STEP.COMPLETING) return;
    try {
      const result = await broker.complete();
      connect.stopSync();
      dispatch({ type: "completed", result });
      emit("success", { connections: result.connections.map((c) => c.integration) });
    } catch (error) {
      // The lender's minimums are not met: back to the review, which lists what is missing.
      if (error instanceof BrokerError && error.code === "coverage_not_met") {
        dispatch({ type: "share_refused", coverage: error.details && error.details.coverage });
        return state.review.preview ? undefined : review.load();
      }
      fail(error);
    }
  }

  /** The owner leaves the done screen: the host gets what onSuccess documents, never the receipt (it can revoke). */
  function succeed() {
    const { account_key, connections, link_session_id } = state.result;
    post(MESSAGE.SUCCESS, { result: { account_key, connections, link_session_id } });
    exited = true;
    connect.stop();
  }

  /** What `onExit` says when the owner leaves a step that ended badly: its code and the sentence on screen. */
  function exitError() {
    const app = appByKey(state, state.selected);
    const vars = { app: app ? app.name : "", lender };
    if (state.step === STEP.EXPIRED && state.error) return { code: state.error.code, message: t("expired.title") };
    if (state.step === STEP.DENIED) return { code: "denied", message: t("denied.title", vars) };
    if (state.step === STEP.FAILED && state.error)
      return { code: state.error.code, message: codeSentence(t, state.error.code, vars) };
    return null;
  }

  Object.assign(ctx.actions, connect.actions, map.actions, reconcile.actions, review.actions, {
    close: () => exit(exitError()),
  });

  document.addEventListener("keydown", (event) => {
    // Every way out (header button, Escape, the step's Close) reports the same error on the expired step.
    if (event.key === "Escape" && !event.defaultPrevented) ctx.actions.close();
  });
  if (mode === "inline" && "ResizeObserver" in window) {
    new ResizeObserver(() => post(MESSAGE.RESIZE, { height: Math.ceil(shell.getBoundingClientRect().height) })).observe(
      shell,
    );
  }

  render(null);
  try {
    const { session, integrations } = await booting;
    lender = theme.name || session.client_name || lender;
    ctx.lender = lender;
    ctx.named = lender !== t("lenderFallback");
    shell.querySelector(".brand").textContent = lender;
    dispatch({
      type: "loaded",
      session,
      apps: integrations,
      categories: options.categories,
      preselected: options.apps,
    });
    emit("open", { step: state.step, locale, apps: state.apps.length });
    if (state.made.length) connect.pollSync();
  } catch (error) {
    if (error instanceof BrokerError && error.code === "origin_mismatch") refuseOrigin();
    else if (tokenRejected(error)) {
      dispatch({ type: "expired", error: { code: error.code } });
      emit("open", { step: STEP.EXPIRED, locale, apps: 0 });
      emit("error", { code: error.code, step: STEP.EXPIRED, integration: null });
    } else fail(error, null);
  }
}

start();

/** The steps whose screen shows connection status (sync polling re-renders only these). */
const SHOWS_CONNECTIONS = new Set([STEP.CATALOGUE, STEP.SYNC]);

/**
 * Show `state` in `page.main`: a new step is rendered whole; on the same step the catalogue and the sync progress
 * are patched in place, and any other step is re-rendered keeping what the owner typed and where the focus was.
 * @param {{main: HTMLElement, renderedStep: string | null, renderedResults: string | null}} page what is on screen
 * @param {Record<string, any>} state
 * @param {Record<string, any> | null} previous the state before, or null for the first render
 * @param {Record<string, any>} ctx
 */
function renderChange(page, state, previous, ctx) {
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
