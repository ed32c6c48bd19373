/**
 * The invitation's effects: create the link (POST /v1/link/invitations) and copy it. The clipboard and the name
 * field come from `page`, so node tests run them with fakes.
 */
import { submit } from "./effects.js";
import { inviteNameProblem } from "./invite.js";

/**
 * @param {import("./effects.js").Io} io
 * @param {{fieldValue: (id: string) => string | undefined, copy: (text: string, fieldId: string) => Promise<boolean>,
 *   focus: (id: string) => void}} page the name field, the clipboard (false when refused: the link is then
 *   selected for the owner to copy), and focus
 * @returns {{actions: Record<string, Function>}}
 */
export function inviteEffects(io, page) {
  const { broker, dispatch, getState } = io;

  async function create() {
    const name = (page.fieldValue("invite-name") || "").trim();
    const problem = inviteNameProblem(name);
    if (problem) {
      dispatch({ type: "invite_invalid", key: problem });
      return page.focus("invite-name");
    }
    if (getState().invite.busy) return;
    await submit(io, "invite_sending", "invite_failed", async () => {
      const link = await broker.invite({ name });
      dispatch({ type: "invite_made", link });
      io.announce(io.t("invite.made", { name: link.name }));
      page.focus("invite-url");
    });
  }

  async function copy() {
    const { link } = getState().invite;
    if (!link) return;
    if (await page.copy(link.url, "invite-url")) {
      dispatch({ type: "invite_copied" });
      io.announce(io.t("invite.copied"));
    }
  }

  return {
    actions: {
      inviteToggle: () => dispatch({ type: "invite_toggle" }),
      inviteCreate: create,
      inviteCopy: copy,
      inviteAgain: () => dispatch({ type: "invite_again" }),
    },
  };
}
