/**
 * The reconcile step's effects: load a month, save each decision and pick as the owner makes it, and save the
 * reliable-through date (then go on to the next step). They use the broker client and the store that `io` gives
 * them, and read the date field and move the focus through `page` (tested with node).
 */
import { brokerWork, submit } from "../effects.js";
import { parseDay } from "../i18n.js";
import { stepAfter } from "../state.js";
import { STEP } from "../steps.js";
import { noteDomId, notePayload, noteProblem } from "./notes.js";
import { decisionPayload, reconciledMetadata, reliableThroughProblem } from "./state.js";

/**
 * @param {import("../effects.js").Io} io
 * @param {{locale: string, fieldValue: (id: string) => string | undefined, focus: (id: string) => void,
 *   today: () => string}} page the owner's locale, the step's DOM as far as the effects need it, and today's date
 *   (YYYY-MM-DD)
 * @returns {{load: (month?: string) => Promise<void>, actions: Record<string, Function>}}
 */
export function reconcileEffects(io, page) {
  const { broker, dispatch, getState } = io;

  // The owner's notes hold for every month: read once with the first month (without them, none are shown). The month
  // is shown once they are in, so that the step is drawn once and does not change under the owner's focus.
  const load = async (month) => {
    const notes = month
      ? null
      : brokerWork(
          io,
          async () => dispatch({ type: "notes_loaded", notes: (await broker.notes()).owner_notes }),
          () => {},
        );
    await brokerWork(
      io,
      async () => {
        const data = await broker.reconciliation(month);
        await notes;
        dispatch({ type: "recon_loaded", data });
      },
      (code) => dispatch({ type: "recon_failed", code }),
    );
    await notes;
  };

  /** Save the note being written, once its reason (and words for "other") are there. */
  async function saveNote(draft) {
    const note = getState().recon.note;
    if (!note || note.status === "saving") return;
    dispatch({ type: "note_draft", ...draft });
    const problem = noteProblem(getState().recon.note);
    if (problem) return dispatch({ type: "note_invalid", problem });
    await submit(io, "note_saving", "note_failed", async () => {
      const saved = await broker.saveNotes(notePayload(note.key, getState().recon.note));
      dispatch({ type: "note_saved", notes: saved.notes });
      io.announce(io.t("notes.saved"));
      page.focus(noteDomId(note.key, note.place));
    });
  }

  /** Save one decision on some matches; `then` runs once it is saved. */
  async function decide(matches, decision, then) {
    const keys = matches.map((m) => m.key);
    dispatch({ type: "recon_deciding", keys, decision });
    await brokerWork(
      io,
      async () => {
        await broker.saveReconciliation(decisionPayload(matches, decision));
        dispatch({ type: "recon_decided", keys, decision, ok: true });
        await then();
      },
      (code) => dispatch({ type: "recon_decided", keys, decision, ok: false, code }),
    );
  }

  async function save() {
    const typed = page.fieldValue("reliable-through");
    const value = typed ? parseDay(typed, page.locale) : getState().recon.reliableThrough;
    dispatch({ type: "recon_date", value });
    const problem = reliableThroughProblem(value, page.today());
    if (problem) return dispatch({ type: "recon_invalid", key: problem });
    await submit(io, "recon_completing", "recon_failed", async () => {
      const result = await broker.saveReconciliation({ decisions: [], reliable_through: value });
      io.emit("reconciled", reconciledMetadata(result));
      dispatch({ type: "recon_saved", result, next: stepAfter(getState(), STEP.RECONCILE) });
      io.enterStep();
    });
  }

  return {
    load,
    actions: {
      reconMonth: (month) => {
        const before = getState();
        if (dispatch({ type: "recon_month", month }) !== before) load(month);
      },
      reconDecide: (matches, decision) =>
        decide(matches, decision, async () =>
          io.announce(io.t(`reconcile.announce.${decision}`, { count: matches.length })),
        ),
      reconPick: (choice, key) => dispatch({ type: "recon_pick", choice, key }),
      // The owner's pick among candidates is a confirmed decision; the broker then shows it as a chosen match.
      reconChoose: (candidate) =>
        decide([candidate], "confirmed", async () => {
          const { data } = getState().recon;
          await load(data && data.month);
          io.announce(io.t("reconcile.announce.chosen"));
          page.focus(`confirmed-${candidate.key.slice(0, 16)}`);
        }),
      reconDate: (value) => dispatch({ type: "recon_date", value }),
      reconReload: () => load(),
      noteEdit: (key, place) => {
        dispatch({ type: "note_edit", key, place });
        page.focus("note-reason");
      },
      noteCancel: () => {
        const note = getState().recon.note;
        dispatch({ type: "note_cancel" });
        if (note) page.focus(noteDomId(note.key, note.place));
      },
      noteSave: saveNote,
      reconSave: save,
    },
  };
}
