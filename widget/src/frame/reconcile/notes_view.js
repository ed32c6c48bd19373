/**
 * The owner's note on an unmatched line or a difference: the saved note in words with "Change note", "Add a note",
 * or the form (a reason from the list, words required for "other") while the owner writes it.
 */
import { h } from "../dom.js";
import { codeSentence } from "../i18n.js";
import { button } from "../parts.js";
import { NOTE_MAX, NOTE_REASONS, noteDomId, noteKey } from "./notes.js";

/** A saved note in words: "Timing: paid on the 2nd". */
function noteText(note, t) {
  const reason = t(`notes.reason.${note.reason}`);
  return note.text ? `${reason}: ${note.text}` : reason;
}

function noteForm(note, label, ctx) {
  const { t, actions } = ctx;
  const error = note.error && note.error.field ? note.error : null;
  const failed = note.error && !note.error.field ? note.error : null;
  const invalid = (field) => (error && error.field === field ? "true" : null);
  const errorText = (field) =>
    error && error.field === field ? h("p", { id: `${field}-error`, className: "field-error" }, t(error.key)) : null;
  const draft = (form) => ({ reason: form.elements["note-reason"].value, text: form.elements["note-text"].value });
  return h(
    "form",
    {
      className: "note-form",
      noValidate: true,
      "aria-label": t("notes.formLabel", { line: label }),
      onsubmit: (e) => {
        e.preventDefault();
        actions.noteSave(draft(e.target));
      },
    },
    h(
      "div",
      { className: "field" },
      h("label", { for: "note-reason" }, t("notes.reason")),
      h(
        "select",
        {
          id: "note-reason",
          name: "note-reason",
          "aria-invalid": invalid("note-reason"),
          "aria-describedby": error && error.field === "note-reason" ? "note-reason-error" : null,
        },
        h("option", { value: "", selected: !note.reason }, t("notes.pick")),
        NOTE_REASONS.map((r) => h("option", { value: r, selected: note.reason === r }, t(`notes.reason.${r}`))),
      ),
      errorText("note-reason"),
    ),
    h(
      "div",
      { className: "field" },
      h("label", { for: "note-text" }, t("notes.text")),
      h("span", { id: "note-text-hint", className: "hint" }, t("notes.textHint", { max: NOTE_MAX })),
      h(
        "textarea",
        {
          id: "note-text",
          name: "note-text",
          maxLength: NOTE_MAX,
          rows: 3,
          "aria-invalid": invalid("note-text"),
          "aria-describedby": ["note-text-hint", error && error.field === "note-text" ? "note-text-error" : null]
            .filter(Boolean)
            .join(" "),
        },
        note.text,
      ),
      errorText("note-text"),
    ),
    failed
      ? h("p", { role: "alert", className: "field-error" }, t(failed.key, { reason: codeSentence(t, failed.code) }))
      : null,
    h(
      "div",
      { className: "actions" },
      h(
        "button",
        { type: "submit", className: "btn btn-small btn-primary", id: "note-save", disabled: note.status === "saving" },
        note.status === "saving" ? t("working") : t("notes.save"),
      ),
      button(t("notes.cancel"), actions.noteCancel, "secondary", { className: "btn btn-small btn-secondary" }),
    ),
  );
}

/**
 * What goes under an unmatched line or a difference: its note, a button to add or change it, or the form.
 * @param {string} kind bank_line, ledger_line or difference @param {string} id the subject's id
 * @param {string} place the bank account it is shown under (the same ledger entry may be listed under two)
 * @param {string} label the line or difference in words (for the buttons' accessible names)
 * @param {Record<string, any>} recon @param {{t: Function, actions: Record<string, Function>}} ctx
 */
export function noteBlock(kind, id, place, label, recon, ctx) {
  const { t, actions } = ctx;
  const key = noteKey(kind, id);
  if (recon.note && recon.note.key === key && recon.note.place === place) return noteForm(recon.note, label, ctx);
  const saved = (recon.notes || {})[key];
  const open = button(saved ? t("notes.change") : t("notes.add"), () => actions.noteEdit(key, place), "secondary", {
    id: noteDomId(key, place),
    className: "btn btn-small btn-secondary",
    "aria-label": `${saved ? t("notes.change") : t("notes.add")}: ${label}`,
  });
  return h(
    "div",
    { className: "recon-note-block" },
    saved ? h("p", { className: "recon-note" }, t("notes.yours", { note: noteText(saved, t) })) : null,
    open,
  );
}
