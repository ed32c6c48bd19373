/**
 * "Invite your accountant" in the map and reconcile steps: its state and pure reducer (tested with node). The owner
 * opens it, types the accountant's name, gets a single-use link to copy and send (the broker sends no e-mail).
 * An accountant's own session never shows it.
 */

/** The longest name the broker takes (broker/invitations/schemas.py). */
export const MAX_INVITE_NAME = 80;

/** @returns {Record<string, any>} the invitation part of the state: closed, nothing sent */
export function initialInvite() {
  return { open: false, busy: false, error: null, link: null, copied: false, refused: false };
}

/**
 * What is wrong with the name typed, as a catalogue key, or null.
 * @param {string} name
 */
export function inviteNameProblem(name) {
  const trimmed = String(name || "").trim();
  if (!trimmed) return "invite.nameRequired";
  if (trimmed.length > MAX_INVITE_NAME || /[\u0000-\u001f\u007f]/.test(trimmed)) return "invite.nameInvalid";
  return null;
}

/**
 * Whether the owner may invite from this session: a token with map or reconcile, and not an accountant's.
 * @param {Record<string, any>} state
 */
export function canInvite(state) {
  const session = state.session || {};
  const scopes = session.scopes || [];
  return !session.accountant && !state.invite.refused && (scopes.includes("map") || scopes.includes("reconcile"));
}

/**
 * The invitation's reducer: acts only on `invite_*` actions, in the map and reconcile steps' state.
 * @param {Record<string, any>} state
 * @param {{type: string, [key: string]: any}} action
 * @returns {Record<string, any>}
 */
export function reduceInvite(state, action) {
  const invite = state.invite;
  const next = (changes) => ({ ...state, invite: { ...invite, ...changes } });
  switch (action.type) {
    case "invite_toggle":
      return next({ open: !invite.open, error: null });
    case "invite_invalid":
      return next({ error: { key: action.key } });
    case "invite_sending":
      return invite.busy ? state : next({ busy: true, error: null });
    case "invite_made":
      return next({ busy: false, link: action.link, copied: false });
    case "invite_failed":
      // An accountant's token (403 owner_only) cannot invite: the button goes away.
      return next({ busy: false, error: { code: action.code }, refused: action.code === "owner_only" });
    case "invite_copied":
      return next({ copied: true });
    case "invite_again":
      return next({ link: null, copied: false, error: null });
    default:
      return state;
  }
}
