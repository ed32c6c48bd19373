/**
 * The map step: the owner maps each account of their chart to one of the lender's standard categories, helped by
 * the broker's suggestions. The reducer and selectors here are pure (tested with node); `renderMap` builds the DOM.
 */
import { h } from "./dom.js";
import { codeSentence } from "./i18n.js";
import { registerStep } from "./steps.js";

export const MAP_STEP = "map";
registerStep({ id: MAP_STEP, scope: "map", title: "map.title", needs: ["accounting"] });

/** @returns {Record<string, any>} the map step's part of the state before the mapping is loaded */
export function initialMap() {
  return { status: "loading", accounts: [], leaves: [], choices: {}, decided: {}, query: "", saved: null, error: null };
}

/** Whether the owner must decide an account: not confirmed before, and its suggestion is flagged or missing. */
export function needsDecision(account) {
  return !account.category && (account.suggestion.needs_review || !account.suggestion.category);
}

/**
 * The order the owner sees: accounts needing a decision first, then the others; each group by balance, largest
 * absolute first (a wrong category on a large balance hurts most). Ties keep the broker's order.
 * @template {{category?: string | null, balance?: number, suggestion: Record<string, any>}} T
 * @param {T[]} accounts
 * @returns {T[]}
 */
export function orderAccounts(accounts) {
  const weight = (a) => Math.abs(Number(a.balance) || 0);
  return accounts
    .map((account, index) => ({ account, index }))
    .sort(
      (x, y) =>
        Number(needsDecision(y.account)) - Number(needsDecision(x.account)) ||
        weight(y.account) - weight(x.account) ||
        x.index - y.index,
    )
    .map((x) => x.account);
}

/**
 * What stops a save: accounts without a category, and flagged suggestions the owner has not decided on yet.
 * @returns {{missing: number, unchecked: number}}
 */
export function mapGaps(map) {
  let missing = 0;
  let unchecked = 0;
  for (const a of map.accounts) {
    if (!map.choices[a.id]) missing += 1;
    else if (needsDecision(a) && !map.decided[a.id]) unchecked += 1;
  }
  return { missing, unchecked };
}

/**
 * The map step's reducer: `state.map` changes, and `map_saved` leaves the step (`next` is the following step).
 * @param {Record<string, any>} state
 * @param {{type: string, [key: string]: any}} action
 */
export function reduceMap(state, action) {
  if (state.step !== MAP_STEP) return state;
  const map = state.map || initialMap();
  const set = (patch) => ({ ...state, busy: false, map: { ...map, ...patch } });
  switch (action.type) {
    case "map_loaded": {
      // Suggestions are the starting point: shown as chosen; the owner changes what is wrong and decides the flagged.
      const choices = {};
      for (const account of action.data.accounts) {
        const category = account.category || account.suggestion.category;
        if (category) choices[account.id] = category;
      }
      const accounts = orderAccounts(action.data.accounts);
      return set({ status: "ready", accounts, leaves: action.data.chart.leaves, choices, decided: {}, error: null });
    }
    case "map_keep": {
      if (map.status !== "ready" || !map.choices[action.id]) return state;
      return set({ decided: { ...map.decided, [action.id]: true }, error: null });
    }
    case "map_incomplete":
      return set({ error: { key: "map.incomplete", ...mapGaps(map) } });
    case "map_choose": {
      if (map.status !== "ready" || !map.accounts.some((a) => a.id === action.id)) return state;
      const known = action.category === null || map.leaves.some((l) => l.code === action.category);
      if (!known) return set({ error: { id: action.id, key: "map.unknownCategory" } });
      const choices = { ...map.choices };
      if (action.category === null) delete choices[action.id];
      else choices[action.id] = action.category;
      return set({ choices, decided: { ...map.decided, [action.id]: action.category !== null }, error: null });
    }
    case "map_accept_all": {
      // Every shown account takes its suggestion when it has none, and the flagged ones count as decided.
      if (map.status !== "ready") return state;
      const choices = { ...map.choices };
      const decided = { ...map.decided };
      for (const a of visibleAccounts(map)) {
        if (!choices[a.id] && a.suggestion.category) choices[a.id] = a.suggestion.category;
        if (choices[a.id]) decided[a.id] = true;
      }
      return set({ choices, decided, error: null });
    }
    case "map_search":
      return set({ query: String(action.query).slice(0, 100) });
    case "map_saving":
      return map.status === "ready" ? { ...set({ status: "saving" }), busy: true } : state;
    case "map_failed":
      return set({
        status: map.accounts.length ? "ready" : "error",
        error: { key: "map.saveFailed", code: action.code },
      });
    case "map_saved":
      // `next` is the step after this one, already resolved by the controller ("reconcile", "completing", ...).
      return { ...state, busy: true, step: action.next, map: { ...map, status: "ready", saved: action.result } };
    default:
      return state;
  }
}

/** Progress as the step shows it: how many accounts have a category. */
export function mapProgress(map) {
  const mapped = map.accounts.filter((a) => map.choices[a.id]).length;
  return { mapped, total: map.accounts.length };
}

/** The accounts matching the search (name or code), in the broker's order. */
export function visibleAccounts(map) {
  const query = map.query.trim().toLocaleLowerCase();
  if (!query) return map.accounts;
  return map.accounts.filter(
    (a) =>
      String(a.name || "")
        .toLocaleLowerCase()
        .includes(query) || String(a.code || "").includes(query),
  );
}

/** What to send to PUT /v1/link/mapping: every account with a chosen category. */
export function mappingPayload(map) {
  return {
    mappings: map.accounts
      .filter((a) => map.choices[a.id])
      .map((a) => ({ account_id: a.id, category: map.choices[a.id] })),
  };
}

/** What the host's `mapping_saved` event carries (counts only, never names or amounts). */
export function mappingSavedMetadata(result) {
  return { mapped: result.progress.mapped, total: result.progress.total, changed: result.changed };
}

/** A category's label in the owner's language. */
export function leafLabel(leaf, locale) {
  return locale === "fr" && leaf.name_fr ? leaf.name_fr : leaf.name;
}

// Signals whose value is a closed set the catalogues translate (`map.value.<value>`); others are the app's own text.
const TRANSLATED_VALUES = new Set(["classification", "type"]);

/**
 * Why a category was suggested, in the owner's language: `map.reason.<reason_code>` with the broker's
 * `reason_params`, category names from the chart and signal words from the catalogue. The broker's English
 * `reason` is shown only for a code or a signal this frame does not know (a newer broker).
 * @param {{reason: string, reason_code?: string, reason_params?: Record<string, string>}} suggestion
 * @param {Map<string, {code: string, name: string, name_fr?: string}>} byCode the chart's leaves by code
 * @param {(key: string, vars?: Record<string, string | number>) => string} t
 * @param {string} locale
 * @returns {string}
 */
export function reasonText(suggestion, byCode, t, locale) {
  const has = (key) => t(key) !== key;
  const code = suggestion.reason_code;
  const params = suggestion.reason_params || {};
  const reasonKey = `map.reason.${code}`;
  if (typeof code !== "string" || !has(reasonKey)) return suggestion.reason;
  if (params.signal !== undefined && !has(`map.signal.${params.signal}`)) return suggestion.reason;
  const word = (key, raw) => (has(key) ? t(key) : raw);
  const leaf = params.category ? byCode.get(params.category) : null;
  const value = String(params.value ?? "");
  const signal = params.signal
    ? t(`map.signal.${params.signal}`, {
        value: TRANSLATED_VALUES.has(params.signal) ? word(`map.value.${value}`, value) : value,
        range: params.range ?? "",
        label: word(`map.range.${params.range}`, ""),
      })
    : "";
  return t(reasonKey, {
    category: leaf ? leafLabel(leaf, locale) : String(params.category ?? ""),
    phrase: String(params.phrase ?? ""),
    side: word(`map.side.${params.side}`, String(params.side ?? "")),
    signal,
  });
}

/** Integer minor units in the owner's language with ``options`` of Intl.NumberFormat (plain digits if unsupported). */
function formatCents(cents, locale, options) {
  try {
    return new Intl.NumberFormat(locale, options).format(cents / 100);
  } catch {
    return (cents / 100).toFixed(2);
  }
}

/** Integer minor units as a plain amount ("202 310,97"), for tables that name their currency once. */
export function amount(cents, locale) {
  return formatCents(cents, locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** Format minor units as money in the owner's language. */
export function money(cents, currency, locale) {
  return formatCents(cents, locale, { style: "currency", currency: currency || "USD" });
}

function accountRow(account, index, map, ctx) {
  const { t, actions, locale } = ctx;
  const byCode = new Map(map.leaves.map((l) => [l.code, l]));
  const chosen = map.choices[account.id] ? byCode.get(map.choices[account.id]) : null;
  const suggestion = account.suggestion;
  const suggested = suggestion.category ? byCode.get(suggestion.category) : null;
  const id = `cat-${index}`;
  const onchange = (event) => {
    const text = event.target.value.trim();
    if (!text) return actions.mapChoose(account.id, null);
    const leaf = map.leaves.find((l) => leafLabel(l, locale) === text || l.code === text);
    actions.mapChoose(account.id, leaf ? leaf.code : "?");
  };
  const undecided = needsDecision(account) && !map.decided[account.id];
  const flags = [
    undecided && chosen ? ["review", t("map.flag.review")] : null,
    account.flags.new ? ["new", t("map.flag.new")] : null,
    !chosen ? ["unmapped", t("map.flag.unmapped")] : null,
  ].filter(Boolean);
  const error = map.error && map.error.id === account.id ? t(map.error.key) : null;
  return h(
    "li",
    { className: `map-row${chosen && !undecided ? " is-mapped" : ""}${undecided ? " is-flagged" : ""}` },
    h(
      "div",
      { className: "map-head" },
      h("span", { className: "map-name", id: `${id}-name` }, [account.code, account.name].filter(Boolean).join(" · ")),
      h("span", { className: "map-balance" }, money(account.balance, account.currency, locale)),
    ),
    // The flags and the reason share one line: the reason stays in sight on a phone.
    h(
      "p",
      { className: "map-suggestion", id: `${id}-why` },
      flags.map(([kind, text]) => [h("span", { className: `badge badge-${kind}` }, text), " "]),
      // The category chosen is in the field: the line says why it was suggested, and names it only when it differs.
      suggested
        ? t(chosen && chosen.code === suggested.code ? "map.why" : "map.suggested", {
            category: leafLabel(suggested, locale),
            confidence: Math.round(suggestion.confidence * 100),
            reason: reasonText(suggestion, byCode, t, locale),
          })
        : t("map.noSuggestion"),
    ),
    h(
      "div",
      { className: "map-pick" },
      h("label", { for: id, className: "sr-only" }, t("map.categoryFor", { account: account.name || account.code })),
      h("input", {
        id,
        name: id,
        type: "text",
        list: "map-leaves",
        autocomplete: "off",
        spellcheck: "false",
        placeholder: t("map.pick"),
        value: chosen ? leafLabel(chosen, locale) : "",
        "aria-describedby": [`${id}-why`, error ? `${id}-error` : null].filter(Boolean).join(" "),
        "aria-invalid": error ? "true" : null,
        onchange,
      }),
      undecided && chosen
        ? h(
            "button",
            {
              type: "button",
              id: `${id}-keep`,
              className: "btn btn-secondary btn-small",
              "aria-label": t("map.keepFor", {
                category: leafLabel(chosen, locale),
                account: account.name || account.code,
              }),
              onclick: () => actions.mapKeep(account.id),
            },
            t("map.keep"),
          )
        : null,
      suggested && (!chosen || chosen.code !== suggested.code)
        ? h(
            "button",
            {
              type: "button",
              id: `${id}-accept`,
              className: "btn btn-secondary btn-small",
              "aria-label": t("map.acceptFor", { account: account.name || account.code }),
              onclick: () => actions.mapChoose(account.id, suggested.code),
            },
            t("map.accept"),
          )
        : null,
    ),
    error ? h("p", { id: `${id}-error`, className: "field-error" }, error) : null,
  );
}

/**
 * The sticky bar's message, in words: what is missing before a save, or why a save failed.
 * @param {{key: string, code?: string, missing?: number, unchecked?: number}} error
 * @param {(key: string, vars?: Record<string, any>) => string} t
 */
export function mapErrorText(error, t) {
  if (error.key === "map.incomplete") {
    const count = (key, n) => (n ? t(n === 1 ? `${key}.one` : key, { count: n }) : "");
    const parts = [count("map.missing", error.missing), count("map.unchecked", error.unchecked), t("map.atTop")];
    return parts.filter(Boolean).join(" ");
  }
  return t(error.key, { reason: codeSentence(t, error.code || "broker_error") });
}

/**
 * The map step's view.
 * @param {Record<string, any>} state
 * @param {{t: Function, locale: string, lender: string, actions: Record<string, Function>}} ctx
 */
export function renderMap(state, ctx) {
  const { t, actions, locale } = ctx;
  const map = state.map || initialMap();
  const title = h("h1", { className: "step-title", tabindex: "-1" }, t("map.title", { lender: ctx.lender }));
  if (map.status === "loading" || (map.status === "error" && !map.accounts.length)) {
    const failed = map.status === "error";
    return h(
      "div",
      { className: "step step-map" },
      title,
      failed
        ? h("p", { role: "alert" }, t("map.loadFailed"))
        : h("p", { className: "waiting" }, h("span", { className: "spinner", "aria-hidden": "true" }), t("loading")),
      failed
        ? h(
            "div",
            { className: "actions" },
            h("button", { type: "button", className: "btn btn-primary", onclick: actions.mapReload }, t("tryAgain")),
          )
        : null,
    );
  }
  const progress = mapProgress(map);
  const gaps = mapGaps(map);
  const shown = visibleAccounts(map);
  return h(
    "div",
    { className: "step step-map" },
    title,
    h("p", { className: "lead" }, t("map.intro", { lender: ctx.lender })),
    h(
      "datalist",
      { id: "map-leaves" },
      map.leaves.map((l) => h("option", { value: leafLabel(l, locale) }, l.path.join(" › "))),
    ),
    h(
      "div",
      { className: "map-tools" },
      h(
        "div",
        { className: "search" },
        h("label", { for: "map-search", className: "tool-label" }, t("map.search")),
        h("input", {
          id: "map-search",
          name: "map-search",
          type: "search",
          autocomplete: "off",
          placeholder: t("map.search"),
          value: map.query,
          oninput: (e) => actions.mapSearch(e.target.value),
        }),
      ),
      h(
        "p",
        { id: "map-progress", className: "count", role: "status" },
        t("map.progress", { mapped: progress.mapped, total: progress.total }),
        gaps.unchecked ? ` · ${t("map.toCheck", { count: gaps.unchecked })}` : "",
      ),
    ),
    h("progress", { max: progress.total || 1, value: progress.mapped, "aria-labelledby": "map-progress" }),
    shown.length
      ? h(
          "ul",
          { className: "map-list", role: "list" },
          shown.map((a) => accountRow(a, map.accounts.indexOf(a), map, ctx)),
        )
      : h("p", { className: "empty" }, t("map.noMatch", { query: map.query })),
    h(
      "div",
      { className: "actions sticky" },
      // In the sticky bar, next to the button that failed: below the list it would be out of sight.
      map.error && !map.error.id
        ? h("p", { role: "alert", className: "field-error" }, mapErrorText(map.error, t))
        : null,
      h(
        "button",
        { type: "button", className: "btn btn-secondary", id: "map-accept-all", onclick: actions.mapAcceptAll },
        t("map.acceptAll"),
      ),
      h(
        "button",
        {
          type: "button",
          className: "btn btn-primary",
          id: "map-save",
          disabled: map.status === "saving",
          onclick: actions.mapSave,
        },
        map.status === "saving" ? t("working") : t("map.save"),
      ),
    ),
  );
}
