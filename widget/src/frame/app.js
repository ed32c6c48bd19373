/**
 * The frame's controller: the handshake with the host page, then the dispatch/render loop. Each step's effects
 * (connect/, map/, reconcile/effects.js) perform the broker calls, the OAuth popup and the polling; this module hands
 * them the broker client, the store and the window, and reports the session's events to the host.
 */
import { MESSAGE, TO_FRAME, acceptMessage } from "../messages.js";
import { BrokerError, createBroker } from "./api.js";
import { connectEffects } from "./connect/effects.js";
import { appByKey } from "./connect/state.js";
import { saveFile, stepPage, trapFocus } from "./dom.js";
import { exitInvalidOptions, fetchFramedBy, hostOrigin, initOptionsProblem, sendHost } from "./host.js";
import { tokenRejected } from "./effects.js";
import { codeSentence, loadCatalogue, pickLocale, translator } from "./i18n.js";
import { resumeEffects } from "./resume/effects.js";
import { exitMetadata, initialState, reduce } from "./state.js";
import { STEP } from "./steps.js";
import { accentPalette, applyPalette } from "./theme.js";
import { SHOWS_CONNECTIONS, renderChange, renderShell } from "./view.js";

function start() {
  const origin = hostOrigin();
  if (!origin) {
    document.body.textContent = "This page only works inside the LedgerLink widget.";
    return;
  }
  // The inline boot script (boot.js) has usually shaken hands already: hear again what it heard, instead of READY.
  const boot = window.ledgerlinkBoot?.takeOver();
  const query = new URLSearchParams(location.search);
  const mode = query.get("mode") === "inline" ? "inline" : "modal";
  // The words boot.js fetched during the handshake: `init` finds them here unless it names another locale.
  const words = boot?.words || {};
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
      // The bootstrap call boot.js started is this session's if it carried this token.
      const early = boot?.bootstrap?.token === message.payload.token ? boot.bootstrap : null;
      run(origin, mode, message.payload, words, early).catch((error) => console.error("LinkWidget frame:", error));
    } else if (message.type === MESSAGE.CLOSE && controller) {
      controller.exit(null, { reason: "host_exit" });
    } else if (message.type === MESSAGE.SHOW && !shown) {
      shown = true;
      whenShown();
    }
  };
  window.addEventListener("message", onHostMessage);
  if (boot) boot.heard.forEach(onHostMessage);
  else sendHost(origin, MESSAGE.READY, {});
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
 * @param {Record<string, Promise<Record<string, string>>>} words catalogues already asked for, by locale
 * @param {{url: string, answer: Promise<Response>} | null} early the bootstrap call boot.js already sent
 */
async function run(origin, mode, { token, options }, words, early) {
  const locale = pickLocale(options.locale, navigator.languages || []);
  const broker = createBroker(token, fetchFramedBy(origin, early));
  // The first step's data and its words travel together; a failed call is handled where it is awaited, below.
  const booting = broker.bootstrap();
  booting.catch(() => {});
  // One catalogue: every locale has every key (a node test checks it), so English is not fetched as a fallback.
  const catalogue = await (words[locale] || loadCatalogue(locale));
  const t = translator(catalogue);
  document.documentElement.lang = locale;
  document.title = t("title");
  const theme = options.theme || {};
  applyPalette(document.documentElement, accentPalette(theme.accent));
  document.documentElement.dataset.mode = mode;
  let lender = theme.name || t("lenderFallback");

  let state = initialState();
  let exited = false;
  let leaving = false;

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

  async function exit(error, extra) {
    if (exited || leaving) return;
    if (state.step === STEP.DONE) return succeed();
    leaving = true;
    // The broker says whether there is something to resume (null: the session never loaded, nothing to say).
    const resumable = await resume.leaving();
    const metadata = { ...exitMetadata(state), ...(resumable === null ? {} : { resumable }), ...extra };
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
    if (action.type === "attempt_started") loadLater(); // the owner picked an app: fetch what comes next meanwhile
    const unseen =
      state.step === previous.step &&
      (action.type === "attempt_started" ||
        action.type === "recon_date" ||
        (action.type === "connections" && !SHOWS_CONNECTIONS.has(state.step)));
    if (state !== previous && !unseen) render(previous);
    if (state.step !== previous.step) resume.stepChanged(previous, state);
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

  /** Start what the step just entered needs: load its data (a later step's code first), or finish the session. */
  function enterStep() {
    const step = state.step;
    if (step === STEP.COMPLETING) complete();
    else if (LATER_STEPS.has(step)) loadLater().then((later) => state.step === step && later.load[step](), failLoad);
  }

  /** @type {import("./effects.js").Io} */
  const io = { broker, getState: () => state, dispatch, emit, announce, fail, exited: () => exited, enterStep, t };
  const connect = connectEffects(io, window);
  /** @type {Promise<ReturnType<import("./later.js").laterEffects>> | null} */
  let later = null;
  /** The later steps' module, loaded once (from the first app the owner picks, so it is there when needed). */
  function loadLater() {
    later ||= Promise.all([import("./later.js"), loadCatalogue(locale, "later")]).then(([module, laterWords]) => {
      const { LATER_VIEWS, laterEffects } = module;
      Object.assign(catalogue, laterWords); // `t` now knows the later steps' words too
      const today = () => new Date().toISOString().slice(0, 10);
      const page = { ...stepPage(main), locale, today, print: () => window.print(), download: saveFile };
      const effects = laterEffects(io, page);
      Object.assign(ctx.actions, effects.actions);
      ctx.laterViews = LATER_VIEWS;
      return effects;
    });
    later.catch(() => (later = null)); // a failed load is tried again on the next step change
    return later;
  }
  const failLoad = () => fail(new BrokerError(0, "network_error", ""));
  const resume = resumeEffects(io, {
    select: (key) => connect.actions.select(key),
    setTimeout: window.setTimeout.bind(window),
  });

  async function complete() {
    if (state.step !== STEP.COMPLETING) return;
    try {
      const result = await broker.complete();
      connect.stopSync();
      await loadLater().catch(() => null); // the done screen with the receipt is in later.js (else a plain one)
      dispatch({ type: "completed", result });
      emit("success", {
        connections: result.connections.map((c) => c.integration),
        link_session_id: result.link_session_id,
      });
    } catch (error) {
      // The lender's minimums are not met: back to the review, which lists what is missing.
      if (error instanceof BrokerError && error.code === "coverage_not_met") {
        dispatch({ type: "share_refused", coverage: error.details && error.details.coverage });
        if (!state.review.preview) loadLater().then((later) => later.load[STEP.REVIEW](), failLoad);
        return;
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

  Object.assign(ctx.actions, connect.actions, resume.actions, { close: () => exit(exitError()) });

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
    const { session, integrations, progress } = await booting;
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
      progress,
    });
    emit("open", { step: state.step, locale, apps: state.apps.length });
    resume.opened(progress);
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

/** The steps whose code is in later.js. */
const LATER_STEPS = new Set([STEP.MAP, STEP.RECONCILE, STEP.REVIEW]);
