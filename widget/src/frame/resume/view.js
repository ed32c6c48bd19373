/**
 * The session life's screens: the offer to continue where the owner left off, and update mode's reconnect screen
 * (the app's sign-in, one click away: the OAuth window may only open from a click). Text only, from the catalogue.
 */
import { h } from "../dom.js";
import { actionsRow, button, stepBox } from "../parts.js";

/** "Continue where you left off" or start from the catalogue. */
export function resumeOffer(state, ctx) {
  const { t, actions } = ctx;
  const { offer, busy, failed } = state.life;
  const step = offer && offer.step ? offer.step : "connect";
  return stepBox(
    t("resume.title"),
    h("p", {}, t("resume.body", { step: t(`resume.step.${step}`), lender: ctx.lender })),
    h("p", { className: "hint" }, t("resume.kept")),
    failed ? h("p", { role: "alert", className: "warning" }, t("resume.failed")) : null,
    actionsRow(
      button(busy ? t("working") : t("resume.continue"), actions.resume, "primary", {
        "aria-disabled": busy ? "true" : null,
        id: "resume-continue",
      }),
      button(t("resume.fresh"), actions.startFresh, "secondary", { id: "resume-fresh" }),
    ),
  );
}

/** Update mode: the app whose connection broke, and its sign-in. */
export function reconnect(state, ctx) {
  const { t, actions } = ctx;
  const app = state.apps.find((a) => a.key === state.life.integration);
  const name = app ? app.name : t("failed.generic");
  return stepBox(
    t("reconnect.title", { app: name }),
    h("p", {}, t("reconnect.body", { app: name, lender: ctx.lender })),
    h("p", { className: "hint" }, t("reconnect.kept")),
    actionsRow(button(t("reconnect.signIn", { app: name }), actions.reconnect, "primary", { id: "reconnect" })),
  );
}
