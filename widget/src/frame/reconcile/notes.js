/**
 * The owner's notes in the reconcile step: a reason from a closed list (and words, required for "other") on an
 * unmatched bank or ledger line or on a month's difference. The reducer's part for notes and its checks (pure).
 */

/** The reasons the broker takes, in the order the owner sees them. */
export const NOTE_REASONS = Object.freeze([
  "cash_deposit_not_recorded",
  "personal_expense",
  "timing",
  "loan_disbursement",
  "other",
]);

/** The longest note the broker takes. */
export const NOTE_MAX = 500;

/** The key of a note's subject: `<kind>:<id>` (kind: bank_line, ledger_line or difference). */
export const noteKey = (kind, id) => `${kind}:${id}`;

/**
 * The id of a note's button, safe in the DOM and in `#id` selectors: the subject's key and the bank account it is
 * shown under (a transfer between two of the owner's accounts is one ledger entry, listed under both).
 */
export const noteDomId = (key, place) => `note-${place}-${key}`.replace(/[^A-Za-z0-9_-]/g, "-");

/** The subject of a month's difference on one bank account. */
export const differenceId = (account, month) => `${account.bank_account_id}:${month}`;

/**
 * Check a note before saving: a reason of the list; words for "other"; at most NOTE_MAX characters.
 * @param {{reason: string, text: string}} draft
 * @returns {{field: string, key: string} | null}
 */
export function noteProblem(draft) {
  if (!NOTE_REASONS.includes(draft.reason)) return { field: "note-reason", key: "notes.reasonRequired" };
  const text = draft.text.trim();
  if (draft.reason === "other" && !text) return { field: "note-text", key: "notes.textRequired" };
  if (text.length > NOTE_MAX) return { field: "note-text", key: "notes.textTooLong" };
  return null;
}

/** The body of PUT /v1/link/notes for one note. */
export function notePayload(key, draft) {
  const split = key.indexOf(":");
  const text = draft.text.trim();
  const note = { subject_kind: key.slice(0, split), subject_id: key.slice(split + 1), reason: draft.reason };
  return { notes: [text ? { ...note, text } : note] };
}

/** The notes by subject key, from the broker's list. */
function byKey(notes) {
  return Object.fromEntries(notes.map((n) => [noteKey(n.subject_kind, n.subject_id), n]));
}

/**
 * The notes' actions on the reconcile step's state (`recon.notes`, `recon.note`: the one being written).
 * @param {Record<string, any>} recon @param {{type: string, [key: string]: any}} action
 * @returns {Record<string, any> | null} the patch of `recon`, or null for an action that is not about notes
 */
export function notesPatch(recon, action) {
  const note = recon.note;
  switch (action.type) {
    case "notes_loaded":
      return { notes: byKey(action.notes) };
    case "note_edit": {
      const saved = (recon.notes || {})[action.key];
      const draft = { reason: saved ? saved.reason : "", text: (saved && saved.text) || "" };
      return { note: { key: action.key, place: action.place, ...draft, status: "editing", error: null } };
    }
    case "note_draft":
      return note ? { note: { ...note, reason: action.reason, text: action.text.slice(0, NOTE_MAX) } } : {};
    case "note_invalid":
      return note ? { note: { ...note, error: action.problem } } : {};
    case "note_saving":
      return note ? { note: { ...note, status: "saving", error: null } } : {};
    case "note_saved":
      return { notes: { ...(recon.notes || {}), ...byKey(action.notes) }, note: null };
    case "note_failed":
      return note
        ? { note: { ...note, status: "editing", error: { key: "notes.saveFailed", code: action.code } } }
        : {};
    case "note_cancel":
      return { note: null };
    default:
      return null;
  }
}
