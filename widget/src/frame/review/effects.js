/**
 * The review step's effects: load the coverage check, the lender's terms and the preview (the same reads the lender
 * makes, as far as the token's scopes reach), send the owner back to fix something, print, and share (the
 * attestation, then the session's completion). The DOM is reached only through `page` (tested with node).
 */
import { brokerWork, submit } from "../effects.js";
import { parseDay } from "../i18n.js";
import { attestationPayload, attestationProblem, receiptFile } from "./state.js";

/**
 * @param {import("../effects.js").Io} io
 * @param {{locale: string, fieldValue: (id: string) => string | undefined, focus: (id: string) => void,
 *   today: () => string, print: () => void, download: (name: string, text: string) => void}} page the owner's
 *   locale, the step's fields, today (YYYY-MM-DD), the frame's print dialog and a file download
 * @returns {{load: () => Promise<void>, actions: Record<string, Function>}}
 */
export function reviewEffects(io, page) {
  const { broker, dispatch, getState } = io;
  const scopes = () => (getState().session && getState().session.scopes) || [];
  const has = (...wanted) => wanted.some((scope) => scopes().includes(scope));
  // A read the token's scopes do not reach, or a mapping not saved yet, is left out of the preview (null).
  const optional = (allowed, read) =>
    allowed
      ? read().catch((error) => {
          if (error && error.status === 404) return null;
          throw error;
        })
      : Promise.resolve(null);

  async function read() {
    const [coverage, terms, statements, reconciliation, connections, notes] = await Promise.all([
      broker.coverage(),
      broker.consentTerms(),
      optional(has("map"), broker.statements),
      optional(has("reconcile"), () => broker.reconciliation()),
      optional(has("read", "map", "reconcile"), () => broker.data("connections")),
      optional(has("reconcile"), broker.notes),
    ]);
    const shown = connections || getState().connections || [];
    return { coverage, terms, statements, reconciliation, connections: shown, notes };
  }

  const load = () =>
    brokerWork(
      io,
      async () => dispatch({ type: "review_loaded", data: await read() }),
      (code) => dispatch({ type: "review_failed", code }),
    );

  async function share() {
    const attesting = has("reconcile");
    if (attesting) {
      // Both fields are read before either is kept: keeping one re-renders the step.
      const name = page.fieldValue("attest-name") || "";
      const typed = page.fieldValue("attest-date");
      dispatch({ type: "review_field", field: "name", value: name });
      if (typed !== undefined)
        dispatch({ type: "review_field", field: "completeThrough", value: parseDay(typed, page.locale) });
      const problem = attestationProblem(getState().review, page.today());
      if (problem) return dispatch({ type: "review_invalid", ...problem });
    }
    await submit(io, "review_sharing", "review_share_failed", async () => {
      if (attesting) await broker.attest(attestationPayload(getState().review, page.locale));
      dispatch({ type: "review_shared" });
      io.enterStep();
    });
  }

  return {
    load,
    actions: {
      reviewGoto: (step) => {
        dispatch({ type: "review_goto", step });
        io.enterStep();
      },
      reviewReload: () => load(),
      reviewPrint: () => page.print(),
      reviewShare: share,
      receiptDownload: () => {
        const consent = getState().result && getState().result.consent;
        if (consent) page.download(`receipt-${consent.id}.json`, receiptFile(consent));
      },
    },
  };
}
