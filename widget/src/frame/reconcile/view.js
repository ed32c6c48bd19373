/**
 * The reconcile step's view: the month, each bank account's balances, matches, choices and unmatched lines, and the
 * reliable-through date with the save bar (text only; every string from the catalogue).
 */
import { h } from "../dom.js";
import { amount, codeSentence, formatDay, money, parseDay } from "../i18n.js";
import { heading, stepSkeleton } from "../parts.js";
import { choicesSection, lineText, matchItem } from "./match_view.js";
import { differenceId } from "./notes.js";
import { noteBlock } from "./notes_view.js";
import { initialReconcile, pendingMatches } from "./state.js";

/** The example date the hint and the format error show, in the owner's format. */
const DATE_EXAMPLE = "2026-09-30";

function balances(account, recon, ctx) {
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
  const table = h(
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
  if (!b.closing_difference) return table;
  // The owner may explain a month's difference in their own words.
  const label = t("notes.differenceOf", {
    account: account.name,
    amount: money(b.closing_difference, cur, locale),
  });
  return [
    table,
    noteBlock("difference", differenceId(account, recon.data.month), account.bank_account_id, label, recon, ctx),
  ];
}

function unmatched(title, lines, kind, account, recon, ctx) {
  const note = (l) => noteBlock(kind, l.id, account.bank_account_id, lineText(l, ctx), recon, ctx);
  return h(
    "section",
    { className: "recon-unmatched" },
    h("h3", {}, `${title} (${lines.length})`),
    lines.length
      ? h(
          "ul",
          { role: "list" },
          lines.map((l) => h("li", {}, lineText(l, ctx), note(l))),
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
    balances(account, recon, ctx),
    h("h3", {}, t("reconcile.matches", { count: account.matches.length })),
    account.matches.length
      ? h(
          "ul",
          { className: "recon-matches", role: "list" },
          account.matches.map((m) => matchItem(m, recon, ctx)),
        )
      : h("p", { className: "empty" }, t("reconcile.none")),
    choicesSection(account, recon, ctx, n),
    unmatched(t("reconcile.unmatchedBank"), account.unmatched_bank, "bank_line", account, recon, ctx),
    unmatched(t("reconcile.unmatchedLedger"), account.unmatched_ledger, "ledger_line", account, recon, ctx),
    account.outside_period && account.outside_period.bank.length
      ? unmatched(t("reconcile.outsidePeriod"), account.outside_period.bank, "bank_line", account, recon, ctx)
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
  if (!recon.data) {
    return stepSkeleton({
      className: "step step-reconcile",
      title: t("reconcile.title"),
      failed: recon.status === "error",
      failedText: t("reconcile.loadFailed"),
      onRetry: actions.reconReload,
      t,
    });
  }
  const data = recon.data;
  const pending = pendingMatches(recon);
  const example = formatDay(DATE_EXAMPLE, ctx.locale);
  const dateError = recon.error && recon.error.field === "reliable-through" ? t(recon.error.key, { example }) : null;
  return h(
    "div",
    { className: "step step-reconcile", "aria-busy": recon.status === "loading" ? "true" : null },
    heading(t("reconcile.title")),
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
