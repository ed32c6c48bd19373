/**
 * The review step's view: what is missing for the lender (with where to fix it), the preview of what the lender
 * will read (printable), the lender's terms, the owner's attestation and the Share button; and the receipt's
 * buttons of the done screen. Text only; every string from the catalogue, numbers and dates in the owner's locale.
 */
import { h } from "../dom.js";
import { codeSentence, formatDay } from "../i18n.js";
import { actionsRow, button, field, heading, stepSkeleton } from "../parts.js";
import { previewSection } from "./preview_view.js";
import { canShare, coverageGaps, initialReview } from "./state.js";

const DATE_EXAMPLE = "2026-09-30";

function coverageSection(review, scopes, ctx) {
  const { t, actions } = ctx;
  if (!review.coverage) return null;
  if (review.coverage.met)
    return h("p", { id: "coverage-met", className: "review-ok" }, t("coverage.met", { lender: ctx.lender }));
  const gaps = coverageGaps(review.coverage, scopes);
  return h(
    "section",
    { className: "review-coverage", "aria-labelledby": "coverage-title" },
    h("h2", { id: "coverage-title", className: "list-title" }, t("coverage.title", { lender: ctx.lender })),
    h(
      "ul",
      { role: "list", id: "coverage-gaps" },
      gaps.map((gap) =>
        h(
          "li",
          { className: "coverage-gap", "data-code": gap.code },
          h("span", {}, t(`coverage.fix.${gap.code}${gap.count === 1 ? ".one" : ""}`, { count: gap.count ?? "" })),
          gap.step ? button(t(`coverage.go.${gap.step}`), () => actions.reviewGoto(gap.step), "secondary") : null,
        ),
      ),
    ),
    actionsRow(button(t("coverage.recheck"), actions.reviewReload, "secondary", { id: "coverage-recheck" })),
  );
}

function termsSection(terms, ctx) {
  const { t, locale } = ctx;
  if (!terms) return null;
  const until = terms.access_expires_at
    ? t("review.until", { date: formatDay(terms.access_expires_at.slice(0, 10), locale) })
    : t("review.untilRevoked");
  return h(
    "section",
    { className: "review-terms", "aria-labelledby": "terms-title" },
    h("h2", { id: "terms-title", className: "list-title" }, t("review.termsTitle")),
    h(
      "dl",
      {},
      h("dt", {}, t("review.lender")),
      h("dd", {}, terms.lender_name || ctx.lender),
      h("dt", {}, t("review.purpose")),
      h("dd", {}, terms.purpose || t("review.noPurpose")),
      h("dt", {}, t("review.access")),
      h("dd", {}, until),
    ),
  );
}

function attestation(review, ctx) {
  const { t, locale } = ctx;
  const example = formatDay(DATE_EXAMPLE, locale);
  const error = (id) => (review.error && review.error.field === id ? t(review.error.key, { example }) : null);
  const date = review.completeThrough ? formatDay(review.completeThrough, locale) : t("review.dateBlank");
  return h(
    "fieldset",
    { className: "review-attest" },
    h("legend", {}, t("review.attestTitle")),
    h("p", { id: "attest-text", className: "review-attest-text" }, t("review.attestText", { date })),
    field({
      id: "attest-name",
      label: t("review.name"),
      error: error("attest-name"),
      input: { type: "text", required: true, autocomplete: "name", maxLength: 120, value: review.name },
    }),
    field({
      id: "attest-date",
      label: t("review.completeThrough"),
      hint: t("review.dateHint", { format: t("reconcile.dateFormatName"), example }),
      error: error("attest-date"),
      input: {
        type: "text",
        required: true,
        autocomplete: "off",
        spellcheck: "false",
        placeholder: t("reconcile.dateFormatName"),
        value: formatDay(review.completeThrough, locale),
      },
    }),
  );
}

/**
 * The review step's view.
 * @param {Record<string, any>} state
 * @param {{t: Function, locale: string, lender: string, actions: Record<string, Function>}} ctx
 */
export function renderReview(state, ctx) {
  const { t, actions } = ctx;
  const review = state.review || initialReview();
  if (!review.preview) {
    return stepSkeleton({
      className: "step step-review",
      title: t("review.title"),
      failed: review.status === "error",
      failedText: t("review.loadFailed", {
        lender: ctx.lender,
        reason: codeSentence(t, (review.error && review.error.code) || "broker_error"),
      }),
      onRetry: actions.reviewReload,
      t,
    });
  }
  const scopes = (state.session && state.session.scopes) || [];
  const ready = canShare(review);
  const alert = review.error && !review.error.field ? review.error : null;
  return h(
    "div",
    { className: "step step-review" },
    heading(t("review.title")),
    h("p", { className: "lead" }, t("review.intro", { lender: ctx.lender })),
    coverageSection(review, scopes, ctx),
    previewSection(review, scopes, ctx),
    termsSection(review.preview.terms, ctx),
    h(
      "form",
      {
        noValidate: true,
        className: "review-share",
        onsubmit: (e) => {
          e.preventDefault();
          if (ready) actions.reviewShare();
        },
      },
      scopes.includes("reconcile") ? attestation(review, ctx) : null,
      h(
        "div",
        { className: "actions sticky" },
        alert
          ? h(
              "p",
              { role: "alert", className: "field-error" },
              t(alert.key, { reason: codeSentence(t, alert.code || "broker_error"), lender: ctx.lender }),
            )
          : null,
        ready ? null : h("p", { id: "share-blocked", className: "hint" }, t("share.blocked", { lender: ctx.lender })),
        h(
          "button",
          {
            type: "submit",
            className: "btn btn-primary",
            id: "review-share",
            disabled: !ready,
            "aria-describedby": ready ? null : "share-blocked",
          },
          review.status === "sharing" ? t("working") : t("share.button", { lender: ctx.lender }),
        ),
      ),
    ),
  );
}

/**
 * The receipt's buttons on the done screen: download it as JSON, open its page in a new tab.
 * @param {Record<string, any> | null} consent `{id, receipt, receipt_url}` from the broker, or null
 * @param {{t: Function, actions: Record<string, Function>}} ctx
 */
export function receiptActions(consent, ctx) {
  const { t, actions } = ctx;
  if (!consent) return null;
  return h(
    "div",
    { className: "review-receipt" },
    h("p", {}, t("share.receiptIntro")),
    actionsRow(
      button(t("share.download"), actions.receiptDownload, "secondary", { id: "receipt-download" }),
      h(
        "a",
        {
          className: "btn btn-secondary",
          id: "receipt-open",
          href: consent.receipt_url,
          target: "_blank",
          rel: "noopener noreferrer",
        },
        t("share.open"),
        h("span", { className: "sr-only" }, ` ${t("share.newTab")}`),
      ),
    ),
  );
}
