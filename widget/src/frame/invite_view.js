/**
 * "Invite your accountant": a disclosure under the map and reconcile steps with the accountant's name, then the
 * link to copy and when it expires. Nothing shows for an accountant's own session.
 */
import { h } from "./dom.js";
import { codeSentence } from "./i18n.js";
import { MAX_INVITE_NAME, canInvite } from "./invite.js";
import { button } from "./parts.js";

/** An instant in the owner's words ("Oct 2, 2026, 9:00 AM"). */
function when(value, locale) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value || "");
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/**
 * @param {Record<string, any>} state
 * @param {{t: Function, locale: string, actions: Record<string, Function>}} ctx
 * @returns {HTMLElement | null}
 */
export function renderInvite(state, ctx) {
  if (!canInvite(state)) return null;
  const { t, actions } = ctx;
  const { invite } = state;
  const error = invite.error
    ? h(
        "p",
        { id: "invite-error", className: "field-error", role: "alert" },
        invite.error.key ? t(invite.error.key) : codeSentence(t, invite.error.code),
      )
    : null;
  return h(
    "section",
    { className: "invite", "aria-labelledby": "invite-toggle" },
    h(
      "button",
      {
        type: "button",
        id: "invite-toggle",
        className: "invite-toggle",
        "aria-expanded": invite.open ? "true" : "false",
        "aria-controls": "invite-panel",
        onclick: actions.inviteToggle,
      },
      t("invite.toggle"),
    ),
    invite.open
      ? h(
          "div",
          { id: "invite-panel", className: "invite-panel" },
          invite.link ? madeLink(invite, ctx) : nameForm(invite, error, ctx),
          invite.link ? error : null,
        )
      : null,
  );
}

function nameForm(invite, error, { t, actions }) {
  const invalid = Boolean(invite.error && invite.error.key);
  return h(
    "div",
    {},
    h("p", { className: "hint" }, t("invite.body")),
    h(
      "div",
      { className: "field" },
      h("label", { for: "invite-name" }, t("invite.name")),
      h("input", {
        id: "invite-name",
        name: "invite-name",
        type: "text",
        autocomplete: "off",
        maxlength: String(MAX_INVITE_NAME),
        "aria-invalid": invalid ? "true" : null,
        "aria-describedby": error ? "invite-error" : null,
        onkeydown: (event) => {
          if (event.key === "Enter") actions.inviteCreate();
        },
      }),
      error,
    ),
    button(t(invite.busy ? "invite.creating" : "invite.create"), actions.inviteCreate, "primary", {
      id: "invite-create",
      "aria-disabled": invite.busy ? "true" : null,
    }),
  );
}

function madeLink(invite, { t, locale, actions }) {
  const { link } = invite;
  return h(
    "div",
    {},
    h("p", {}, t("invite.ready", { name: link.name, expires: when(link.expires_at, locale) })),
    h(
      "div",
      { className: "field" },
      h("label", { for: "invite-url" }, t("invite.link")),
      h("input", {
        id: "invite-url",
        name: "invite-url",
        type: "text",
        readonly: true,
        value: link.url,
        "aria-describedby": "invite-once",
        onfocus: (event) => event.target.select(),
      }),
      h("p", { id: "invite-once", className: "hint" }, t("invite.once")),
    ),
    h(
      "div",
      { className: "actions" },
      button(t(invite.copied ? "invite.copiedShort" : "invite.copy"), actions.inviteCopy, "primary", {
        id: "invite-copy",
      }),
      button(t("invite.another"), actions.inviteAgain, "secondary", { id: "invite-again" }),
    ),
  );
}
