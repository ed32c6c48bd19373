/**
 * The reconcile step's matches and choices: each suggested match with its evidence and its confirm/reject buttons,
 * and each bank line the evidence does not decide with the candidates the owner chooses among.
 */
import { h } from "../dom.js";
import { money } from "../i18n.js";
import { choiceKey, decisionOf, pickedCandidate } from "./state.js";

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

/** One bank or ledger line: date, description, amount. */
export function lineText(line, ctx) {
  return `${line.date} · ${line.description || line.memo || line.id} · ${money(line.amount, line.currency, ctx.locale)}`;
}

/** A suggested match with its evidence and the owner's decision. */
export function matchItem(match, recon, ctx) {
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

/** The bank lines of an account that the owner decides among candidates, or null when there are none. */
export function choicesSection(account, recon, ctx, n) {
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
