/**
 * The review step's preview: exactly what the lender will read, in the owner's language: the apps and the months
 * each covers, the mapped profit and loss and balance sheet, the ratios and the reconciliation (printable alone).
 */
import { h } from "../dom.js";
import { amount, formatDay } from "../i18n.js";
import { actionsRow, button } from "../parts.js";
import { STEP } from "../steps.js";
import { appsCovered, lastBalanceSheet, lastRatios, profitAndLossTotals } from "./state.js";

const RATIOS = [
  ["current_ratio", "number"],
  ["debt_to_assets", "percent"],
  ["gross_margin", "percent"],
  ["operating_margin", "percent"],
  ["dscr", "number"],
];

/** A month (YYYY-MM) in words of the owner's language: "October 2026", "octobre 2026". */
export function monthName(month, locale) {
  try {
    const format = new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" });
    return format.format(new Date(`${month}-01T00:00:00Z`));
  } catch {
    return month;
  }
}

export function ratioText(value, kind, locale) {
  if (typeof value !== "number") return "—";
  const options = kind === "percent" ? { style: "percent", maximumFractionDigits: 1 } : { maximumFractionDigits: 2 };
  return new Intl.NumberFormat(locale, options).format(value);
}
function amountRows(lines, ctx) {
  return lines.map((line) =>
    h(
      "tr",
      { className: `depth-${Math.min(line.depth, 3)}${line.leaf ? "" : " is-total"}` },
      h("th", { scope: "row" }, ctx.locale === "fr" && line.name_fr ? line.name_fr : line.name),
      h("td", { className: "amount" }, typeof line.amount === "number" ? amount(line.amount, ctx.locale) : ""),
    ),
  );
}

function statementTable(id, caption, lines, currency, ctx) {
  return h(
    "table",
    { id, className: "review-table" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ctx.t("review.line")), h("th", { scope: "col" }, currency))),
    h("tbody", {}, amountRows(lines, ctx)),
  );
}

function statementsPart(statements, ctx) {
  const { t, locale } = ctx;
  if (!statements) return h("p", { className: "empty" }, t("review.noStatements"));
  const sheet = lastBalanceSheet(statements);
  const ratios = lastRatios(statements);
  const range = {
    start: monthName(statements.start.slice(0, 7), locale),
    end: monthName(statements.end.slice(0, 7), locale),
  };
  return [
    statementTable("review-pnl", t("review.pnl", range), profitAndLossTotals(statements), statements.currency, ctx),
    sheet
      ? statementTable(
          "review-balance",
          t("review.balanceSheet", { date: formatDay(sheet.as_of, locale) }),
          sheet.lines,
          statements.currency,
          ctx,
        )
      : null,
    ratios
      ? h(
          "div",
          { className: "review-ratios" },
          h("h3", {}, t("review.ratios", { month: monthName(ratios.end.slice(0, 7), locale) })),
          h(
            "dl",
            {},
            RATIOS.map(([key, kind]) => [
              h("dt", {}, t(`review.ratio.${key}`)),
              h("dd", {}, ratioText(ratios[key], kind, locale)),
            ]),
          ),
        )
      : null,
  ];
}

function reconciliationPart(recon, notes, ctx) {
  const { t, locale } = ctx;
  if (!recon) return null;
  const s = recon.summary;
  const percent = ratioText(s.match_rate.count, "percent", locale);
  return h(
    "div",
    { className: "review-recon" },
    h("h3", {}, t("review.reconTitle")),
    h(
      "ul",
      { role: "list" },
      h("li", {}, t("review.matchRate", { percent, matched: s.matched_lines, lines: s.bank_lines })),
      h("li", {}, t("review.decisions", { confirmed: s.confirmed, rejected: s.rejected, pending: s.pending })),
      h(
        "li",
        {},
        recon.reliable_through
          ? t("review.reliableThrough", { date: formatDay(recon.reliable_through, locale) })
          : t("review.noReliableThrough"),
      ),
      notes ? h("li", {}, t("review.notes", { count: notes.owner_notes.length })) : null,
    ),
  );
}

function appsPart(preview, ctx) {
  const { t, locale } = ctx;
  const apps = appsCovered(preview);
  return h(
    "div",
    { className: "review-apps" },
    h("h3", {}, t("review.apps")),
    h(
      "ul",
      { role: "list", id: "review-apps" },
      apps.map((app) =>
        h(
          "li",
          {},
          h("strong", {}, app.name),
          " · ",
          t(`category.${app.category}`),
          " · ",
          app.first
            ? t("review.appMonths", {
                first: monthName(app.first, locale),
                last: monthName(app.last, locale),
                count: app.months,
              })
            : t("review.appNoMonths"),
        ),
      ),
    ),
  );
}

/** The preview section, with the way back to the map and reconcile steps and Print. */
export function previewSection(review, scopes, ctx) {
  const { t, actions } = ctx;
  const { preview } = review;
  const back = [];
  if (scopes.includes("map")) back.push(button(t("review.backToMap"), () => actions.reviewGoto(STEP.MAP)));
  if (scopes.includes("reconcile") && preview.reconciliation)
    back.push(button(t("review.backToReconcile"), () => actions.reviewGoto(STEP.RECONCILE)));
  return h(
    "section",
    { id: "review-preview", className: "review-preview", "aria-labelledby": "preview-title" },
    h("h2", { id: "preview-title", className: "list-title" }, t("review.previewTitle", { lender: ctx.lender })),
    appsPart(preview, ctx),
    statementsPart(preview.statements, ctx),
    reconciliationPart(preview.reconciliation, preview.notes, ctx),
    actionsRow(...back, button(t("review.print"), actions.reviewPrint, "secondary", { id: "review-print" })),
  );
}
