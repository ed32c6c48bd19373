/**
 * The reconcile step: bank against ledger for one month per bank account, the suggested matches to confirm or
 * reject (each decision is saved at once) with the evidence each rests on, the bank lines the evidence does not
 * decide with the candidates the owner chooses among, the lines left unmatched, and the date through which the
 * data is reliable. The reducer and selectors are pure (tested with node); `renderReconcile` builds the DOM.
 */
import { h } from "./dom.js";
import { codeSentence } from "./i18n.js";
import { amount, money } from "./map.js";
import { registerStep } from "./steps.js";

export const RECONCILE_STEP = "reconcile";
registerStep({ id: RECONCILE_STEP, scope: "reconcile", title: "reconcile.title", needs: ["accounting", "banking"] });
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
/** The example date the hint and the format error show, in the owner's format. */
const DATE_EXAMPLE = "2026-09-30";

/** @returns {Record<string, any>} the reconcile step's part of the state before anything is loaded */
export function initialReconcile() {
  return { status: "loading", data: null, decisions: {}, saving: {}, picks: {}, reliableThrough: "", error: null };
}

/**
 * The reconcile step's reducer.
 * @param {Record<string, any>} state
 * @param {{type: string, [key: string]: any}} action
 */
export function reduceReconcile(state, action) {
  if (state.step !== RECONCILE_STEP) return state;
  const recon = state.recon || initialReconcile();
  const set = (patch) => ({ ...state, busy: false, recon: { ...recon, ...patch } });
  switch (action.type) {
    case "recon_loaded": {
      const decisions = { ...recon.decisions };
      for (const account of action.data.accounts)
        for (const m of account.matches) if (m.decision !== "pending") decisions[m.key] = m.decision;
      const reliableThrough =
        recon.reliableThrough || action.data.reliable_through || action.data.suggested_reliable_through || "";
      return set({ status: "ready", data: action.data, decisions, reliableThrough, error: null });
    }
    case "recon_month":
      return recon.status === "ready" && action.month !== (recon.data && recon.data.month)
        ? set({ status: "loading", month: action.month })
        : state;
    case "recon_deciding": {
      const saving = { ...recon.saving };
      for (const key of action.keys) saving[key] = action.decision;
      return set({ saving });
    }
    case "recon_decided": {
      const saving = { ...recon.saving };
      const decisions = { ...recon.decisions };
      for (const key of action.keys) {
        delete saving[key];
        if (action.ok) decisions[key] = action.decision;
      }
      return set({ saving, decisions, error: action.ok ? null : { key: "reconcile.saveFailed", code: action.code } });
    }
    case "recon_pick":
      return set({ picks: { ...(recon.picks || {}), [action.choice]: action.key } });
    case "recon_date":
      return set({ reliableThrough: String(action.value).slice(0, 10), error: null });
    case "recon_invalid":
      return set({ error: { field: "reliable-through", key: action.key } });
    case "recon_completing":
      return { ...set({ status: "saving" }), busy: true };
    case "recon_failed":
      return set({ status: recon.data ? "ready" : "error", error: { key: "reconcile.saveFailed", code: action.code } });
    case "recon_saved":
      return { ...state, busy: true, step: action.next, recon: { ...recon, status: "ready", saved: action.result } };
    default:
      return state;
  }
}

/** The decision shown for a match: the owner's (saved or being saved), else "pending". */
export function decisionOf(recon, match) {
  return recon.saving[match.key] || recon.decisions[match.key] || "pending";
}

/** The pending matches of the month shown (what "confirm all" confirms). */
export function pendingMatches(recon) {
  if (!recon.data) return [];
  return recon.data.accounts.flatMap((a) => a.matches).filter((m) => decisionOf(recon, m) === "pending");
}

/** The body of POST /v1/link/reconciliation for some matches and one decision. */
export function decisionPayload(matches, decision) {
  return {
    decisions: matches.map((m) => ({
      bank_ids: m.bank.map((line) => line.id),
      ledger_ids: m.ledger.map((line) => line.id),
      decision,
    })),
  };
}

/** The day order of each locale's numeric dates (the catalogue names the format: MM/DD/YYYY, JJ/MM/AAAA). */
const DAY_ORDER = { en: ["month", "day"], fr: ["day", "month"] };

/**
 * A day (YYYY-MM-DD) as the owner's locale writes it: "09/30/2026" in English, "30/09/2026" in French.
 * Anything else (what the owner typed and could not be read) is shown back as it is.
 * @param {string} value @param {string} locale
 */
export function formatDay(value, locale) {
  const match = DAY_RE.test(value || "") ? value.split("-") : null;
  if (!match) return value || "";
  const [year, month, day] = match;
  const parts = { day, month };
  return [...(DAY_ORDER[locale] || DAY_ORDER.en).map((k) => parts[k]), year].join("/");
}

/**
 * Read a day typed in the locale's format (or as YYYY-MM-DD); returns YYYY-MM-DD, or the text as typed when it is
 * not a date (the check then says what to type).
 * @param {string} text @param {string} locale
 */
export function parseDay(text, locale) {
  const typed = String(text || "").trim();
  if (DAY_RE.test(typed)) return typed;
  const found = typed.match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/);
  if (!found) return typed.slice(0, 10);
  const [first, second] = DAY_ORDER[locale] || DAY_ORDER.en;
  const parts = { [first]: found[1].padStart(2, "0"), [second]: found[2].padStart(2, "0") };
  const day = `${found[3]}-${parts.month}-${parts.day}`;
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(day) ? day : typed.slice(0, 10);
}

/** The stable key of a choice: its bank lines (a choice is one bank line the evidence does not decide). */
export function choiceKey(choice) {
  return `c-${choice.bank.map((line) => line.id).join("-")}`;
}

/** The candidate the owner picked for a choice, or null. */
export function pickedCandidate(recon, choice) {
  const key = (recon.picks || {})[choiceKey(choice)];
  return choice.candidates.find((c) => c.key === key) || null;
}

const EVIDENCE = [
  [/^same day$/, "reconcile.ev.sameDay"],
  [/^1 day$/, "reconcile.ev.day"],
  [/^(\d+) days$/, "reconcile.ev.days"],
  [/^cheque (\S+)$/, "reconcile.ev.cheque"],
  [/^no\. (\S+)$/, "reconcile.ev.number"],
  [/^within (\d+) days?$/, "reconcile.ev.within"],
  [/^within same day$/, "reconcile.ev.withinSameDay"],
  [/^(\d+) (?:bank )?lines$/, "reconcile.ev.lines"],
  [/^sign flipped$/, "reconcile.ev.signFlipped"],
  [/^differs by (.+)$/, "reconcile.ev.differs"],
];

/**
 * One piece of evidence the broker names ("cheque 3035", "2 days", a name) in the owner's language; names and
 * anything the catalogue does not know are shown as they are.
 * @param {string} label @param {Function} t
 */
export function evidenceText(label, t) {
  for (const [pattern, key] of EVIDENCE) {
    const found = pattern.exec(label);
    if (found) return t(key, { value: found[1] || "" });
  }
  return label;
}

function evidenceLine(match, ctx) {
  const parts = (match.evidence && match.evidence.length ? match.evidence : [match.reason]).map((e) =>
    evidenceText(e, ctx.t),
  );
  return parts.join(" · ");
}

/**
 * Check the reliable-through date before saving: a day, not after `today`. Returns a catalogue key or "".
 * @param {string} value @param {string} today YYYY-MM-DD
 */
export function reliableThroughProblem(value, today) {
  if (!value) return "reconcile.dateRequired";
  if (!DAY_RE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return "reconcile.dateFormat";
  if (value > today) return "reconcile.dateFuture";
  return "";
}

/** What the host's `reconciled` event carries: the date and counts, never amounts or descriptions. */
export function reconciledMetadata(result) {
  const s = result.summary;
  return {
    reliable_through: result.reliable_through,
    match_rate: s.match_rate.count,
    confirmed: s.confirmed,
    rejected: s.rejected,
    pending: s.pending,
  };
}

function balances(account, ctx) {
  const { t, locale } = ctx;
  const b = account.balance;
  if (!b) return h("p", { className: "empty" }, t("reconcile.noBalance"));
  const cur = b.currency || account.currency;
  const row = (label, bank, ledger) =>
    h(
      "tr",
      {},
      h("th", { scope: "row" }, label),
      h("td", { className: "amount" }, amount(bank, locale)),
      h("td", { className: "amount" }, amount(ledger, locale)),
    );
  return h(
    "table",
    { className: "recon-balances" },
    h("caption", { className: "sr-only" }, t("reconcile.balancesOf", { account: account.name })),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("td", {}),
        // The currency once per column, not in every cell: two amounts then fit a 320 px phone in French too.
        h("th", { scope: "col" }, t("reconcile.bank"), " ", h("span", { className: "unit" }, cur)),
        h("th", { scope: "col" }, t("reconcile.ledger"), " ", h("span", { className: "unit" }, cur)),
      ),
    ),
    h(
      "tbody",
      {},
      row(t("reconcile.opening"), b.bank_opening, b.ledger_opening),
      row(t("reconcile.closing"), b.bank_closing, b.ledger_closing),
      h(
        "tr",
        { className: b.closing_difference ? "is-off" : "is-even" },
        h("th", { scope: "row" }, t("reconcile.difference")),
        h("td", { colSpan: 2 }, b.closing_difference ? money(b.closing_difference, cur, locale) : t("reconcile.even")),
      ),
    ),
  );
}

function lineText(line, ctx) {
  return `${line.date} · ${line.description || line.memo || line.id} · ${money(line.amount, line.currency, ctx.locale)}`;
}

function matchItem(match, recon, ctx) {
  const { t, actions } = ctx;
  const decision = decisionOf(recon, match);
  const busy = Boolean(recon.saving[match.key]);
  const label = lineText(match.bank[0], ctx);
  const choice = (value, text) =>
    h(
      "button",
      {
        type: "button",
        id: `${value}-${match.key.slice(0, 16)}`, // so that focus stays on it when the step re-renders
        className: `btn btn-small ${decision === value ? "btn-primary" : "btn-secondary"}`,
        "aria-pressed": decision === value ? "true" : "false",
        "aria-label": `${text}: ${label}`,
        "aria-disabled": busy ? "true" : null, // not `disabled`: that would drop the keyboard focus
        onclick: () => busy || actions.reconDecide([match], value),
      },
      text,
    );
  return h(
    "li",
    { className: `recon-match is-${decision}`, "data-key": match.key },
    h(
      "p",
      { className: "recon-side" },
      h("span", { className: "recon-tag" }, t("reconcile.bank")),
      match.bank.map((l) => h("span", {}, lineText(l, ctx))),
    ),
    h(
      "p",
      { className: "recon-side" },
      h("span", { className: "recon-tag" }, t("reconcile.ledger")),
      match.ledger.map((l) => h("span", {}, lineText(l, ctx))),
    ),
    matchType(match, ctx),
    // The owner's own pick needs no score or evidence: "You chose this match" says it.
    match.match_type === "chosen"
      ? null
      : h(
          "p",
          { className: "recon-reason" },
          t("reconcile.why", { score: Math.round(match.score * 100), reason: evidenceLine(match, ctx) }),
        ),
    h(
      "div",
      { className: "actions" },
      choice("confirmed", t("reconcile.confirm")),
      choice("rejected", t("reconcile.reject")),
      h("span", { className: "recon-state" }, t(`reconcile.state.${decision}`)),
    ),
  );
}

function matchType(match, ctx) {
  const { t } = ctx;
  if (match.match_type === "near")
    return h(
      "p",
      { className: "recon-type is-near" },
      t(`reconcile.near.${match.near}`),
      " ",
      t("reconcile.nearBy", { amount: money(match.difference, match.currency, ctx.locale) }),
    );
  if (match.match_type === "chosen") return h("p", { className: "recon-type is-chosen" }, t("reconcile.chosen"));
  return null;
}

function choiceItem(choice, recon, ctx, id) {
  const { t, actions } = ctx;
  const key = choiceKey(choice);
  const picked = pickedCandidate(recon, choice);
  const bank = choice.bank[0];
  const busy = choice.candidates.some((c) => recon.saving[c.key]);
  return h(
    "li",
    { className: "recon-choice", "data-choice": key },
    h(
      "p",
      { className: "recon-side" },
      h("span", { className: "recon-tag" }, t("reconcile.bank")),
      h("span", {}, lineText(bank, ctx)),
    ),
    h(
      "fieldset",
      { className: "recon-candidates" },
      h(
        "legend",
        {},
        t("reconcile.choiceQuestion", {
          count: choice.candidates.length,
          amount: money(bank.amount, bank.currency, ctx.locale),
        }),
      ),
      choice.candidates.map((candidate, m) => {
        const inputId = `${id}-${m}`;
        const ledger = candidate.ledger[0];
        return h(
          "div",
          { className: "recon-candidate" },
          h("input", {
            type: "radio",
            id: inputId,
            name: id,
            value: candidate.key,
            checked: Boolean(picked && picked.key === candidate.key),
            "aria-describedby": `${inputId}-why`,
            onchange: () => actions.reconPick(key, candidate.key),
          }),
          h(
            "label",
            { for: inputId },
            h("span", { className: "recon-candidate-line" }, lineText(ledger, ctx)),
            h("span", { id: `${inputId}-why`, className: "recon-reason" }, evidenceLine(candidate, ctx)),
          ),
        );
      }),
    ),
    h(
      "div",
      { className: "actions" },
      h(
        "button",
        {
          type: "button",
          id: `${id}-use`,
          className: "btn btn-small btn-primary",
          "aria-disabled": !picked || busy ? "true" : null,
          onclick: () => picked && !busy && actions.reconChoose(picked),
        },
        t("reconcile.useChoice"),
      ),
      picked ? null : h("span", { className: "recon-state" }, t("reconcile.pickFirst")),
    ),
  );
}

function choicesSection(account, recon, ctx, n) {
  const choices = account.choices || [];
  if (!choices.length) return null;
  return h(
    "section",
    { className: "recon-choices" },
    h("h3", {}, ctx.t("reconcile.choices", { count: choices.length })),
    h("p", { className: "hint" }, ctx.t("reconcile.choicesHint")),
    h(
      "ul",
      { className: "recon-matches", role: "list" },
      choices.map((c, m) => choiceItem(c, recon, ctx, `recon-pick-${n}-${m}`)),
    ),
  );
}

function unmatched(title, lines, ctx) {
  return h(
    "section",
    { className: "recon-unmatched" },
    h("h3", {}, `${title} (${lines.length})`),
    lines.length
      ? h(
          "ul",
          { role: "list" },
          lines.map((l) => h("li", {}, lineText(l, ctx))),
        )
      : h("p", { className: "empty" }, ctx.t("reconcile.none")),
  );
}

function accountSection(account, recon, ctx, n) {
  const { t } = ctx;
  const id = `recon-account-${n}`;
  return h(
    "section",
    { className: "recon-account", "aria-labelledby": id },
    h(
      "h2",
      { id, className: "list-title" },
      [account.name, account.account_number_last4 ? `••${account.account_number_last4}` : null]
        .filter(Boolean)
        .join(" "),
    ),
    account.paired ? null : h("p", { className: "warning" }, t("reconcile.unpaired")),
    balances(account, ctx),
    h("h3", {}, t("reconcile.matches", { count: account.matches.length })),
    account.matches.length
      ? h(
          "ul",
          { className: "recon-matches", role: "list" },
          account.matches.map((m) => matchItem(m, recon, ctx)),
        )
      : h("p", { className: "empty" }, t("reconcile.none")),
    choicesSection(account, recon, ctx, n),
    unmatched(t("reconcile.unmatchedBank"), account.unmatched_bank, ctx),
    unmatched(t("reconcile.unmatchedLedger"), account.unmatched_ledger, ctx),
    account.outside_period && account.outside_period.bank.length
      ? unmatched(t("reconcile.outsidePeriod"), account.outside_period.bank, ctx)
      : null,
  );
}

/**
 * The reconcile step's view.
 * @param {Record<string, any>} state
 * @param {{t: Function, locale: string, lender: string, actions: Record<string, Function>}} ctx
 */
export function renderReconcile(state, ctx) {
  const { t, actions } = ctx;
  const recon = state.recon || initialReconcile();
  const title = h("h1", { className: "step-title", tabindex: "-1" }, t("reconcile.title"));
  if (!recon.data) {
    const failed = recon.status === "error";
    return h(
      "div",
      { className: "step step-reconcile" },
      title,
      failed
        ? h("p", { role: "alert" }, t("reconcile.loadFailed"))
        : h("p", { className: "waiting" }, h("span", { className: "spinner", "aria-hidden": "true" }), t("loading")),
      failed
        ? h(
            "div",
            { className: "actions" },
            h("button", { type: "button", className: "btn btn-primary", onclick: actions.reconReload }, t("tryAgain")),
          )
        : null,
    );
  }
  const data = recon.data;
  const pending = pendingMatches(recon);
  const example = formatDay(DATE_EXAMPLE, ctx.locale);
  const dateError = recon.error && recon.error.field === "reliable-through" ? t(recon.error.key, { example }) : null;
  return h(
    "div",
    { className: "step step-reconcile", "aria-busy": recon.status === "loading" ? "true" : null },
    title,
    h("p", { className: "lead" }, t("reconcile.intro", { lender: ctx.lender })),
    h(
      "div",
      { className: "field" },
      h("label", { for: "recon-month" }, t("reconcile.month")),
      h(
        "select",
        { id: "recon-month", name: "recon-month", onchange: (e) => actions.reconMonth(e.target.value) },
        data.months.map((m) => h("option", { value: m, selected: m === data.month }, m)),
      ),
    ),
    h("p", { className: "count", role: "status" }, t("reconcile.summary", { pending: pending.length })),
    pending.length
      ? h(
          "div",
          { className: "actions" },
          h(
            "button",
            {
              type: "button",
              className: "btn btn-secondary",
              id: "recon-confirm-all",
              onclick: () => actions.reconDecide(pending, "confirmed"),
            },
            t("reconcile.confirmAll", { count: pending.length }),
          ),
        )
      : null,
    data.accounts.length
      ? data.accounts.map((a, n) => accountSection(a, recon, ctx, n))
      : h("p", { className: "empty" }, t("reconcile.noBank")),
    h(
      "form",
      {
        noValidate: true,
        className: "recon-finish",
        onsubmit: (e) => {
          e.preventDefault();
          actions.reconSave();
        },
      },
      h(
        "div",
        { className: "field" },
        h("label", { for: "reliable-through" }, t("reconcile.reliableThrough")),
        // A text field in the widget's own locale: a date input would follow the browser's language instead.
        h(
          "span",
          { id: "reliable-through-hint", className: "hint" },
          t("reconcile.dateHint", { format: t("reconcile.dateFormatName"), example }),
        ),
        h("input", {
          id: "reliable-through",
          name: "reliable-through",
          type: "text",
          autocomplete: "off",
          spellcheck: "false",
          placeholder: t("reconcile.dateFormatName"),
          value: formatDay(recon.reliableThrough, ctx.locale),
          required: true,
          "aria-invalid": dateError ? "true" : null,
          "aria-describedby": ["reliable-through-hint", dateError ? "reliable-through-error" : null]
            .filter(Boolean)
            .join(" "),
          oninput: (e) => actions.reconDate(parseDay(e.target.value, ctx.locale)),
        }),
        dateError ? h("p", { id: "reliable-through-error", className: "field-error" }, dateError) : null,
      ),
      h(
        "div",
        { className: "actions sticky" },
        // In the sticky bar, where the owner's eyes are after pressing a button: the list may be scrolled far away.
        recon.error && !recon.error.field
          ? h(
              "p",
              { role: "alert", className: "field-error" },
              t(recon.error.key, { reason: codeSentence(t, recon.error.code || "broker_error") }),
            )
          : null,
        h(
          "button",
          { type: "submit", className: "btn btn-primary", id: "recon-save", disabled: recon.status === "saving" },
          recon.status === "saving" ? t("working") : t("reconcile.save"),
        ),
      ),
    ),
  );
}
