import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BrokerError } from "../src/frame/api.js";
import { canInvite, initialInvite, inviteNameProblem, reduceInvite } from "../src/frame/invite.js";
import { inviteEffects } from "../src/frame/invite_effects.js";
import { mapEffects } from "../src/frame/map/effects.js";
import { accountantState } from "../src/pages/accountant.js";
import { initialState, stepAfter } from "../src/frame/state.js";
import { STEP } from "../src/frame/steps.js";
import { fakeIo } from "./effects_fakes.js";

const OWNER = { ...initialState(), step: STEP.MAP, session: { scopes: ["link", "map", "reconcile"] } };
const LINK = {
  id: "inv_1",
  name: "Jane Ledger",
  url: "https://b/widget/v1/accountant#tok",
  expires_at: "2026-10-02T09:00:00Z",
};
const OPENED = { scopes: ["map", "reconcile"], accountant_name: "Jane", client_name: "Acme", company_name: "Maple" };

/** `page` for the invite effects: a name typed, a clipboard that works or not, focus recorded. */
function fakePage(name, clipboard = true) {
  const page = { focused: [], copied: [] };
  page.fieldValue = () => name;
  page.focus = (id) => page.focused.push(id);
  page.copy = async (text) => (clipboard ? page.copied.push(text) > 0 : false);
  return page;
}

describe("Invite your accountant", () => {
  it("shows for the owner's map or reconcile session, never for an accountant's or a link-only one", () => {
    assert.equal(canInvite(OWNER), true);
    assert.equal(canInvite({ ...OWNER, session: { scopes: ["link"] } }), false);
    assert.equal(canInvite(accountantState(OPENED)), false);
    assert.equal(canInvite(reduceInvite(OWNER, { type: "invite_failed", code: "owner_only" })), false);
  });
  it("checks the name before asking the broker", () => {
    assert.equal(inviteNameProblem("  "), "invite.nameRequired");
    assert.equal(inviteNameProblem("x".repeat(81)), "invite.nameInvalid");
    assert.equal(inviteNameProblem("Jane\nLedger"), "invite.nameInvalid");
    assert.equal(inviteNameProblem(" Jane Ledger "), null);
  });
  it("creates the link with the name typed, then copies it", async () => {
    const asked = [];
    const io = fakeIo(OWNER, { invite: async (body) => asked.push(body) && LINK });
    const page = fakePage(" Jane Ledger ");
    const { actions } = inviteEffects(io, page);
    actions.inviteToggle();
    await actions.inviteCreate();
    assert.deepEqual(asked, [{ name: "Jane Ledger" }]);
    assert.deepEqual(io.state.invite.link, LINK);
    assert.deepEqual(page.focused, ["invite-url"]);
    await actions.inviteCopy();
    assert.deepEqual(page.copied, [LINK.url]);
    assert.equal(io.state.invite.copied, true);
  });
  it("says an empty name inline and sends nothing; a refused clipboard is not called a copy", async () => {
    const io = fakeIo(OWNER, { invite: async () => assert.fail("no call for an empty name") });
    const page = fakePage("", false);
    await inviteEffects(io, page).actions.inviteCreate();
    assert.deepEqual(io.state.invite.error, { key: "invite.nameRequired" });
    assert.deepEqual(page.focused, ["invite-name"]);
    const made = reduceInvite(io.state, { type: "invite_made", link: LINK });
    const io2 = fakeIo(made, {});
    await inviteEffects(io2, page).actions.inviteCopy();
    assert.equal(io2.state.invite.copied, false);
  });
  it("hides itself when the broker says the token is an accountant's", async () => {
    const io = fakeIo(OWNER, {
      invite: async () => Promise.reject(new BrokerError(403, "owner_only", "Only the owner can do this.")),
    });
    await inviteEffects(io, fakePage("Jane")).actions.inviteCreate();
    assert.equal(io.state.invite.refused, true);
    assert.deepEqual(initialInvite().refused, false);
  });
});

describe("the accountant's page", () => {
  it("starts at the map with the session it was given, without the session call", () => {
    const state = accountantState(OPENED);
    assert.equal(state.step, STEP.MAP);
    assert.equal(state.session.accountant, true);
    assert.equal(accountantState({ ...OPENED, scopes: ["reconcile"] }).step, STEP.RECONCILE);
  });
  it("goes from the map to reconcile, though it connected nothing, and then ends where the owner would share", async () => {
    const state = accountantState(OPENED);
    assert.equal(stepAfter(state, STEP.MAP), STEP.RECONCILE);
    assert.equal(stepAfter(state, STEP.RECONCILE), STEP.COMPLETING);
    // The owner's own session still needs the books connected before mapping.
    assert.equal(stepAfter({ ...OWNER, apps: [] }, "connect"), STEP.COMPLETING);
    const io = fakeIo(state, { mapping: async () => ({ accounts: [], chart: { leaves: [] } }) });
    await mapEffects(io).load();
    assert.deepEqual(io.actions, ["map_loaded"]);
  });
});
