/**
 * The map step's view: one row per account with its suggestion and why, the search, the progress and the sticky
 * save bar (text only; every string from the catalogue).
 */
import { h } from "../dom.js";
import { codeSentence, money } from "../i18n.js";
import { heading, stepSkeleton } from "../parts.js";
import { initialMap, mapGaps, mapProgress, needsDecision, visibleAccounts } from "./state.js";

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
        // Outside North America a code's first digit means what the chart's numbering scheme says (PCG, PCMN, ...).
        label: params.scheme
          ? word(`map.range.${params.scheme}.${params.range}`, "")
          : word(`map.range.${params.range}`, ""),
      })
    : "";
  return t(reasonKey, {
    category: leaf ? leafLabel(leaf, locale) : String(params.category ?? ""),
    phrase: String(params.phrase ?? ""),
    side: word(`map.side.${params.side}`, String(params.side ?? "")),
    signal,
  });
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
  const title = t("map.title", { lender: ctx.lender });
  if (map.status === "loading" || (map.status === "error" && !map.accounts.length)) {
    const failed = map.status === "error";
    return stepSkeleton({
      className: "step step-map",
      title,
      failed,
      failedText: t("map.loadFailed"),
      onRetry: actions.mapReload,
      t,
    });
  }
  const progress = mapProgress(map);
  const gaps = mapGaps(map);
  const shown = visibleAccounts(map);
  return h(
    "div",
    { className: "step step-map" },
    heading(title),
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
        // The placeholder says what the label says: the label is for screen readers.
        h("label", { for: "map-search", className: "sr-only" }, t("map.search")),
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
