/**
 * The frame's controller: handshake with the host page, then the connect flow. It performs the effects the
 * state machine asks for (broker calls, the OAuth popup, polling) and reports events to the host.
 */
import { FROM_POPUP, MESSAGE, TO_FRAME, TO_HOST, acceptMessage, initProblem, isMessage, send } from "../messages.js";
import { BrokerError, createBroker } from "./api.js";
import { trapFocus } from "./dom.js";
import { codeSentence, loadCatalogue, pickLocale, translator } from "./i18n.js";
import { mapGaps, mappingPayload, mappingSavedMetadata } from "./map.js";
import { decisionPayload, parseDay, reconciledMetadata, reliableThroughProblem } from "./reconcile.js";
import { STEP, appByKey, connectedCategories, exitMetadata, initialState, reduce, syncFinished } from "./state.js";
import { nextStep } from "./steps.js";
import { accentPalette, applyPalette } from "./theme.js";
import { formError, renderCatalogueActions, renderProgress, renderResults, renderShell, renderStep } from "./view.js";

const POLL_MS = 1000;
const POPUP_NAME = "ledgerlink_connect";
const POPUP_FEATURES = "popup,width=500,height=720";
const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;
// Every broker call names the page that frames us (verified by the handshake); the broker refuses another origin
// than the token's with "origin_mismatch".
const PARENT_ORIGIN_HEADER = "X-LedgerLink-Parent-Origin";

/** `fetch` with the framing page's origin on every request. */
const fetchFramedBy = (origin) => (url, init) =>
  fetch(url, { ...init, headers: { ...init.headers, [PARENT_ORIGIN_HEADER]: origin } });

/**
 * Send a message to the host page, only if it is one of the protocol's (TO_HOST): the loader, kept small, checks the
 * envelope and the fields it reads, so the full contract is checked here, where the messages are made.
 */
function sendHost(origin, type, payload) {
  if (isMessage({ type, payload }, TO_HOST)) return send(window.parent, origin, type, payload);
  console.error("LinkWidget frame: a message off the protocol was not sent:", type);
  return false;
}

/** The host origin the page was framed for, checked against what the browser says our ancestor is. */
function hostOrigin() {
  const claimed = new URLSearchParams(location.search).get("origin") || "";
  if (!/^https?:\/\/[^/]+$/.test(claimed) || window.parent === window) return null;
  const ancestors = location.ancestorOrigins;
  if (ancestors && ancestors.length && ancestors[0] !== claimed) return null;
  return claimed;
}

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
    if (initialised || event.source !== window.parent || event.origin !== origin) return;
    let problem = "";
    try {
      if (event.data.type === MESSAGE.INIT) problem = initProblem(event.data.payload);
    } catch {
      return;
    }
    if (!problem) return;
    initialised = true;
    console.error(`LinkWidget: ${problem} (see docs/widget.md, section 3)`);
    const metadata = { step: "loading", integration: null, connections_made: [] };
    const error = { code: "invalid_options", message: problem };
    controller = { exit: () => {} };
    whenShown = () => {
      sendHost(origin, MESSAGE.EVENT, {
        name: "error",
        metadata: { code: error.code, step: "loading", integration: null },
      });
      sendHost(origin, MESSAGE.EVENT, { name: "exit", metadata });
      sendHost(origin, MESSAGE.EXIT, { error, metadata });
    };
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
  let popup = null;
  let pollTimer = 0;
  let syncTimer = 0;

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
    const metadata = { ...exitMetadata(state), ...extra };
    emit("exit", metadata);
    post(MESSAGE.EXIT, { error, metadata });
    exited = true;
    stopPolling();
    if (popup && !popup.closed) popup.close();
  }
  controller = { exit };

  const ctx = { t, lender, locale, named: Boolean(theme.name), actions: {} };
  let renderedStep = null;
  let renderedResults = null;
  function render(previous) {
    ctx.lender = lender;
    const before = previous && previous.step;
    if (state.step !== renderedStep) {
      renderedStep = state.step;
      renderedResults = resultsKey(state);
      main.replaceChildren(renderStep(state, ctx));
      const title = main.querySelector(".step-title");
      if (title && before) title.focus();
      else if (state.step === STEP.CATALOGUE) main.querySelector("#search")?.focus();
      return;
    }
    if (state.step === STEP.CATALOGUE) {
      // Sync polling dispatches often; replacing the list under the owner's pointer would swallow a click.
      const listed = resultsKey(state);
      if (listed === renderedResults) return;
      renderedResults = listed;
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
        if (body) body.textContent = t("sync.bodyDone");
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
    if (error instanceof BrokerError && error.status === 401) {
      if (state.step === STEP.EXPIRED) return; // several calls in flight learn it at once; the host hears it once
      dispatch({ type: "expired", error: { code } });
      emit("error", { code, step: state.step, integration: null });
      return;
    }
    emit("error", { code, step: state.step, integration: integration || null });
    dispatch({ type: "failed", error: { code } });
  }

  function stopPolling() {
    window.clearTimeout(pollTimer);
    pollTimer = 0;
  }

  // -- OAuth popup ---------------------------------------------------------------------------------------------
  function openPopup(url) {
    try {
      return window.open(url, POPUP_NAME, POPUP_FEATURES);
    } catch {
      return null;
    }
  }

  async function beginPopupAttempt(app, opened) {
    popup = opened;
    if (!popup) {
      dispatch({ type: "popup_blocked" });
      emit("error", { code: "popup_blocked", step: STEP.POPUP, integration: app.key });
    }
    let attempt;
    try {
      attempt = await broker.startAttempt(app.key);
    } catch (error) {
      if (popup && !popup.closed) popup.close();
      fail(error, app.key);
      return;
    }
    dispatch({ type: "attempt_started", attempt });
    if (popup && !popup.closed) popup.location.replace(attempt.connect_url);
    pollAttempt(attempt.attempt_id);
  }

  function pollAttempt(attemptId) {
    stopPolling();
    const tick = async () => {
      if (exited || !state.attempt || state.attempt.attempt_id !== attemptId) return;
      if (popup && popup.closed) dispatch({ type: "popup_closed" });
      try {
        const answer = await broker.attempt(attemptId);
        if (answer.status !== "pending") return onAttemptResult(answer);
      } catch (error) {
        if (error instanceof BrokerError && error.status === 401) return fail(error);
      }
      pollTimer = window.setTimeout(tick, POLL_MS);
    };
    pollTimer = window.setTimeout(tick, POLL_MS);
  }

  function onAttemptResult(answer) {
    stopPolling();
    const app = appByKey(state, state.selected);
    const before = state;
    dispatch({ type: "attempt_result", ...answer });
    // The popup's message and the poll can both bring the same result; only the first one changes the state.
    if (state === before) return;
    if (answer.status === "connected" && app) {
      emit("connected", { integration: app.key, category: app.category, auth_type: app.auth_type });
      announce(t("sync.title", { app: app.name }));
      pollSync();
    } else if (answer.status === "denied" && app) {
      emit("error", { code: "denied", step: before.step, integration: app.key });
    } else if (answer.status !== "pending" && answer.status !== "mfa_required" && state.step === STEP.FAILED) {
      // The step the owner was on when it failed: "mfa" after wrong codes, "credentials", "popup"...
      emit("error", { code: answer.error || answer.status, step: before.step, integration: app ? app.key : null });
    }
    if (popup && !popup.closed && answer.status !== "pending") popup.close();
  }

  // The callback page in the popup tells us it landed; the broker stays the source of truth for the result.
  window.addEventListener("message", async (event) => {
    const message = acceptMessage(event, { source: popup, origin: location.origin, guards: FROM_POPUP });
    if (!message || !state.attempt || message.payload.attempt_id !== state.attempt.attempt_id) return;
    try {
      const answer = await broker.attempt(message.payload.attempt_id);
      if (answer.status !== "pending") onAttemptResult(answer);
    } catch (error) {
      fail(error);
    }
  });

  // -- sync progress -------------------------------------------------------------------------------------------
  function pollSync() {
    window.clearTimeout(syncTimer);
    const tick = async () => {
      if (exited) return;
      try {
        const answer = await broker.connections();
        const before = syncFinished(state);
        dispatch({ type: "connections", connections: answer.connections });
        if (!before && syncFinished(state)) {
          const names = state.made.map((k) => appByKey(state, k)?.name || k);
          announce(names.map((app) => t("sync.done", { app })).join(". "));
        }
      } catch (error) {
        if (error instanceof BrokerError && error.status === 401) return fail(error);
      }
      if (!syncFinished(state)) syncTimer = window.setTimeout(tick, POLL_MS);
    };
    syncTimer = window.setTimeout(tick, POLL_MS / 2);
  }

  // -- map and reconcile (registered steps after connect) -------------------------------------------------------
  /** The step after `current` as the state machine names it ("completing" for the end). */
  function following(current) {
    const next = nextStep(current, state.session ? state.session.scopes : [], undefined, connectedCategories(state));
    return next === "complete" ? STEP.COMPLETING : next;
  }

  /** Start what the step just entered needs: load its data, or finish the session. */
  function enterStep() {
    if (state.step === STEP.MAP) loadMapping();
    else if (state.step === STEP.RECONCILE) loadReconciliation();
    else if (state.step === STEP.COMPLETING) ctx.actions.complete();
  }

  async function loadMapping() {
    try {
      dispatch({ type: "map_loaded", data: await broker.mapping() });
    } catch (error) {
      if (error instanceof BrokerError && error.status === 401) return fail(error);
      dispatch({ type: "map_failed", code: error.code || "broker_error" });
    }
  }

  async function loadReconciliation(month) {
    try {
      dispatch({ type: "recon_loaded", data: await broker.reconciliation(month) });
    } catch (error) {
      if (error instanceof BrokerError && error.status === 401) return fail(error);
      dispatch({ type: "recon_failed", code: error.code || "broker_error" });
    }
  }

  function reviewActions() {
    return {
      mapChoose: (id, category) => dispatch({ type: "map_choose", id, category }),
      mapKeep: (id) => dispatch({ type: "map_keep", id }),
      mapAcceptAll: () => {
        dispatch({ type: "map_accept_all" });
        announce(
          t("map.progress", {
            mapped: state.map.accounts.filter((a) => state.map.choices[a.id]).length,
            total: state.map.accounts.length,
          }),
        );
      },
      mapSearch: (query) => dispatch({ type: "map_search", query }),
      mapReload: () => loadMapping(),
      mapSave: async () => {
        if (state.map.status !== "ready") return;
        const gaps = mapGaps(state.map);
        if (gaps.missing || gaps.unchecked) return dispatch({ type: "map_incomplete" });
        dispatch({ type: "map_saving" });
        try {
          const result = await broker.saveMapping(mappingPayload(state.map));
          emit("mapping_saved", mappingSavedMetadata(result));
          announce(t("map.saved"));
          dispatch({ type: "map_saved", result, next: following(STEP.MAP) });
          enterStep();
        } catch (error) {
          if (error instanceof BrokerError && error.status === 401) return fail(error);
          dispatch({ type: "map_failed", code: error.code || "broker_error" });
        }
      },
      reconMonth: (month) => {
        const before = state;
        dispatch({ type: "recon_month", month });
        if (state !== before) loadReconciliation(month);
      },
      reconDecide: async (matches, decision) => {
        const keys = matches.map((m) => m.key);
        dispatch({ type: "recon_deciding", keys, decision });
        try {
          await broker.saveReconciliation(decisionPayload(matches, decision));
          dispatch({ type: "recon_decided", keys, decision, ok: true });
          announce(t(`reconcile.announce.${decision}`, { count: keys.length }));
        } catch (error) {
          if (error instanceof BrokerError && error.status === 401) return fail(error);
          dispatch({ type: "recon_decided", keys, decision, ok: false, code: error.code || "broker_error" });
        }
      },
      reconDate: (value) => dispatch({ type: "recon_date", value }),
      reconReload: () => loadReconciliation(),
      reconSave: async () => {
        const typed = main.querySelector("#reliable-through")?.value;
        const value = typed ? parseDay(typed, locale) : state.recon.reliableThrough;
        dispatch({ type: "recon_date", value });
        const problem = reliableThroughProblem(value, new Date().toISOString().slice(0, 10));
        if (problem) return dispatch({ type: "recon_invalid", key: problem });
        dispatch({ type: "recon_completing" });
        try {
          const result = await broker.saveReconciliation({ decisions: [], reliable_through: value });
          emit("reconciled", reconciledMetadata(result));
          dispatch({ type: "recon_saved", result, next: following(STEP.RECONCILE) });
          enterStep();
        } catch (error) {
          if (error instanceof BrokerError && error.status === 401) return fail(error);
          dispatch({ type: "recon_failed", code: error.code || "broker_error" });
        }
      },
    };
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

  // -- actions the views call ----------------------------------------------------------------------------------
  // The form attempt being started: a Sign in pressed before it is answered waits for it instead of starting another.
  let starting = null;
  function startFormAttempt(app) {
    const pending = (async () => {
      try {
        const attempt = await broker.startAttempt(app.key);
        if (state.selected === app.key) dispatch({ type: "attempt_started", attempt });
      } catch (error) {
        fail(error, app.key);
      } finally {
        if (starting === pending) starting = null;
      }
    })();
    starting = pending;
    return pending;
  }

  async function submit(kind, payload) {
    if (state.busy) return;
    if (!state.attempt) await (starting || startFormAttempt(appByKey(state, state.selected)));
    if (!state.attempt) return;
    dispatch({ type: "busy" });
    try {
      const answer = await broker[kind](state.attempt.attempt_id, payload);
      onAttemptResult(answer);
      if (answer.status === "invalid_credentials" || answer.status === "invalid_code")
        announce(formError(state, ctx, answer.status === "invalid_code" ? "code" : "password"));
    } catch (error) {
      fail(error);
    }
  }

  Object.assign(ctx.actions, {
    search: (query) => {
      dispatch({ type: "search", query });
      const count = main.querySelectorAll("#results .app").length;
      announce(count ? t("resultsCount", { count }) : t("noResults", { query }));
    },
    filter: (category) => dispatch({ type: "filter", category }),
    select: (key) => {
      const app = appByKey(state, key);
      if (!app || exited) return;
      // Opened synchronously inside the click so that popup blockers let it through.
      const opened = app.auth_type === "oauth2" ? openPopup("") : undefined;
      const before = state;
      dispatch({ type: "select", key });
      if (state === before) {
        if (opened) opened.close();
        return;
      }
      emit("app_selected", { integration: app.key, category: app.category, auth_type: app.auth_type });
      if (app.auth_type === "oauth2") beginPopupAttempt(app, opened);
      else if (state.step !== STEP.FAILED) startFormAttempt(app);
    },
    reopen: () => {
      const app = appByKey(state, state.selected);
      if (!app) return;
      if (popup && !popup.closed) {
        popup.focus();
        return;
      }
      const attempt = state.attempt;
      if (state.step === STEP.BLOCKED && attempt) {
        // The blocked attempt's URL was never loaded, so its single-use embed token is still good.
        popup = openPopup(attempt.connect_url);
        if (popup) dispatch({ type: "popup_opened" });
        else announce(t("blocked.title"));
        return;
      }
      const opened = openPopup("");
      stopPolling();
      dispatch({ type: "back" });
      dispatch({ type: "select", key: app.key });
      beginPopupAttempt(app, opened);
    },
    back: () => {
      stopPolling();
      if (popup && !popup.closed) popup.close();
      dispatch({ type: "back" });
    },
    retry: () => ctx.actions.back() || ctx.actions.select(state.selected || ""),
    submitCredentials: ({ username, password }) => {
      if (!username)
        return dispatch({
          type: "invalid",
          error: { field: "username", key: "credentials.required", label: t("credentials.username").toLowerCase() },
        });
      if (!password)
        return dispatch({
          type: "invalid",
          error: { field: "password", key: "credentials.required", label: t("credentials.password").toLowerCase() },
        });
      return submit("credentials", { username, password });
    },
    submitMfa: ({ code }) => {
      if (!code) return dispatch({ type: "invalid", error: { field: "code", key: "mfa.required" } });
      if (!/^\d{6}$/.test(code)) return dispatch({ type: "invalid", error: { field: "code", key: "mfa.format" } });
      return submit("mfa", { code });
    },
    submitUpload: ({ chart, trial }) => {
      for (const [name, file] of [
        ["chart", chart],
        ["trial", trial],
      ]) {
        const key = !file
          ? "upload.required"
          : !/\.csv$/i.test(file.name)
            ? "upload.type"
            : file.size > MAX_UPLOAD_BYTES
              ? "upload.size"
              : null;
        if (key) return dispatch({ type: "invalid", error: { field: name, key } });
      }
      const form = new FormData();
      form.append("chart_of_accounts", chart, chart.name);
      form.append("trial_balances", trial, trial.name);
      return submit("upload", form);
    },
    finish: () => {
      const before = state;
      dispatch({ type: "finish" });
      if (state !== before) enterStep();
    },
    ...reviewActions(),
    complete: async () => {
      if (state.step !== STEP.COMPLETING) return;
      try {
        const result = await broker.complete();
        dispatch({ type: "completed", result });
        emit("success", { connections: result.connections.map((c) => c.integration) });
        // The host gets what onSuccess documents; the consent receipt (its page link can revoke) stays in the frame.
        const { account_key, connections, link_session_id } = result;
        post(MESSAGE.SUCCESS, { result: { account_key, connections, link_session_id } });
        exited = true;
        window.clearTimeout(syncTimer);
      } catch (error) {
        fail(error);
      }
    },
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
    if (state.made.length) pollSync();
  } catch (error) {
    if (error instanceof BrokerError && error.code === "origin_mismatch") refuseOrigin();
    else if (error instanceof BrokerError && error.status === 401) {
      dispatch({ type: "expired", error: { code: error.code } });
      emit("open", { step: STEP.EXPIRED, locale, apps: 0 });
      emit("error", { code: error.code, step: STEP.EXPIRED, integration: null });
    } else fail(error, null);
  }
}

start();

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

/** The steps whose screen shows connection status (sync polling re-renders only these). */
const SHOWS_CONNECTIONS = new Set([STEP.CATALOGUE, STEP.SYNC]);

/** What the catalogue's result list shows: it is only rebuilt when this changes. */
function resultsKey(state) {
  const apps = state.apps.map((a) => [a.key, a.connected, a.status]);
  return JSON.stringify([state.query, state.category, state.preselected, state.categories, apps, syncFinished(state)]);
}
