/**
 * The review step's state: before sharing, the lender's coverage check, the preview of what the lender will read,
 * the lender's terms and the owner's attestation. A pure reducer and its selectors (tested with node).
 */
import { DAY_RE } from "../i18n.js";
import { STEP, stepPart } from "../steps.js";

/** Where each coverage fix takes the owner (the broker's `fix.code` → a step of the frame). */
export const FIX_STEP = Object.freeze({
  connect_accounting: STEP.CATALOGUE,
  connect_bank: STEP.CATALOGUE,
  more_books_history: STEP.CATALOGUE,
  more_bank_history: STEP.CATALOGUE,
  map_accounts: STEP.MAP,
  set_reliable_through: STEP.RECONCILE,
});

/** The token scope each step a fix leads to needs (the catalogue needs "link", which the review has). */
const STEP_SCOPE = Object.freeze({ [STEP.CATALOGUE]: "link", [STEP.MAP]: "map", [STEP.RECONCILE]: "reconcile" });

/** The longest owner's name the broker takes. */
export const NAME_MAX = 120;

/** @returns {Record<string, any>} the review step's part of the state before anything is loaded */
export function initialReview() {
  return { status: "loading", preview: null, coverage: null, name: "", completeThrough: "", error: null };
}

/**
 * The review step's reducer. `share_refused` also acts on "completing": the broker refused the share because the
 * lender's minimums are not met, and the owner is brought back here with the coverage it answered.
 * @param {Record<string, any>} state
 * @param {{type: string, [key: string]: any}} action
 */
export function reduceReview(state, action) {
  const [review, set] = stepPart(state, "review", initialReview);
  if (action.type === "share_refused" && state.step === STEP.COMPLETING) {
    const patch = { status: "ready", coverage: action.coverage || review.coverage, error: { key: "review.refused" } };
    return { ...set(patch), step: STEP.REVIEW };
  }
  if (state.step !== STEP.REVIEW) return state;
  switch (action.type) {
    case "review_loaded": {
      const { coverage, ...preview } = action.data;
      const completeThrough = review.completeThrough || reliableThrough(preview);
      // A load that lands after the owner pressed Share keeps what the owner must fix in a field (only a load's or a
      // share's error is stale once the step has its data again).
      const error = review.error && review.error.field ? review.error : null;
      return set({ status: "ready", preview, coverage, completeThrough, error });
    }
    case "review_failed":
      return set({
        status: review.preview ? "ready" : "error",
        error: { key: "review.loadFailed", code: action.code },
      });
    case "review_field":
      return set({ [action.field]: String(action.value).slice(0, action.field === "name" ? NAME_MAX : 10) });
    case "review_invalid":
      return set({ error: { field: action.field, key: action.key } });
    case "review_sharing":
      return { ...set({ status: "sharing", error: null }), busy: true };
    case "review_share_failed":
      return set({ status: "ready", error: { key: "review.shareFailed", code: action.code } });
    case "review_shared":
      return { ...state, busy: true, step: STEP.COMPLETING };
    case "review_goto":
      return { ...state, busy: false, step: action.step };
    default:
      return state;
  }
}

/** The date the owner said the data is reliable through (the attestation's starting value), or "". */
function reliableThrough(preview) {
  const recon = preview.reconciliation;
  return (recon && (recon.reliable_through || recon.suggested_reliable_through)) || "";
}

/**
 * The unmet requirements, each with its fix and the step that fixes it (null when this token cannot go there).
 * @param {Record<string, any> | null} coverage the broker's answer
 * @param {readonly string[]} scopes the token's scopes
 * @returns {{name: string, code: string, count: number | null, step: string | null}[]}
 */
export function coverageGaps(coverage, scopes) {
  if (!coverage) return [];
  return coverage.requirements
    .filter((item) => !item.met && item.fix)
    .map((item) => {
      const step = FIX_STEP[item.fix.code] || null;
      return {
        name: item.name,
        code: item.fix.code,
        count: item.fix.count,
        step: step && scopes.includes(STEP_SCOPE[step]) ? step : null,
      };
    });
}

/** Whether the owner may share now: the data is loaded and the lender's minimums are met. */
export function canShare(review) {
  return review.status === "ready" && Boolean(review.coverage && review.coverage.met);
}

/**
 * Check the attestation before sharing: the owner's name, and a day not after `today`. Returns
 * `{field, key}` of the first problem, or null.
 * @param {{name: string, completeThrough: string}} review @param {string} today YYYY-MM-DD
 */
export function attestationProblem(review, today) {
  if (!review.name.trim()) return { field: "attest-name", key: "review.nameRequired" };
  const day = review.completeThrough;
  if (!day) return { field: "attest-date", key: "review.dateRequired" };
  if (!DAY_RE.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
    return { field: "attest-date", key: "review.dateFormat" };
  if (day > today) return { field: "attest-date", key: "review.dateFuture" };
  return null;
}

/**
 * The profit and loss of the whole range: each line of the lender's chart with its amounts summed over the periods
 * (a flow adds up; a heading line without an amount stays without one).
 * @param {Record<string, any>} statements the broker's mapped statements
 * @returns {{code: string, name: string, name_fr: string, depth: number, leaf: boolean, amount: number | null}[]}
 */
export function profitAndLossTotals(statements) {
  const periods = statements.profit_and_loss || [];
  if (!periods.length) return [];
  return periods[0].lines.map((line) => {
    const amounts = periods.map((p) => (p.lines.find((l) => l.code === line.code) || {}).amount);
    const known = amounts.filter((a) => typeof a === "number");
    return { ...line, amount: known.length ? known.reduce((a, b) => a + b, 0) : null };
  });
}

/** The last balance sheet of the range (as of its end), or null. */
export function lastBalanceSheet(statements) {
  const sheets = statements.balance_sheets || [];
  return sheets.length ? sheets[sheets.length - 1] : null;
}

/** The ratios of the last period that has them, or null. */
export function lastRatios(statements) {
  const ratios = statements.ratios || [];
  return ratios.length ? ratios[ratios.length - 1] : null;
}

/**
 * Each connected app with the months of data the lender gets from it: the books' range for accounting apps, the
 * reconciled months for banks; other apps' months are not checked (null).
 * @param {Record<string, any>} preview
 * @returns {{name: string, category: string, first: string | null, last: string | null, months: number | null}[]}
 */
export function appsCovered(preview) {
  const statements = preview.statements;
  const bankMonths = (preview.reconciliation && preview.reconciliation.months) || [];
  const range = (first, last, months) => ({ first, last, months });
  return (preview.connections || []).map((c) => {
    let covered = range(null, null, null);
    if (c.category === "accounting" && statements)
      covered = range(statements.start.slice(0, 7), statements.end.slice(0, 7), statements.profit_and_loss.length);
    else if (c.category === "banking" && bankMonths.length)
      covered = range(bankMonths[0], bankMonths[bankMonths.length - 1], bankMonths.length);
    return { name: c.name || c.integration, category: c.category, ...covered };
  });
}

/** The body of POST /v1/link/attestation. @param {Record<string, any>} review @param {string} locale */
export function attestationPayload(review, locale) {
  return {
    name: review.name.trim(),
    complete_through: review.completeThrough,
    language: locale === "fr" ? "fr" : "en",
  };
}

/** The owner's receipt as the JSON file they download: its id and the signed receipt anyone can verify. */
export function receiptFile(consent) {
  return JSON.stringify({ id: consent.id, receipt: consent.receipt }, null, 2);
}
