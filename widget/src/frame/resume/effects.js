/**
 * The session life's effects: open where the broker says (update mode's sign-in, the resume offer), take over an
 * earlier session, record each step the owner reaches, and learn on the way out whether something is left to resume.
 * Like every step's effects they get the broker client and the store (`io`) and a timer as arguments.
 */
import { tokenRejected } from "../effects.js";
import { STEP } from "../steps.js";
import { progressToRecord, sessionStep } from "./state.js";

/** How long leaving waits for the broker's `resumable` (the loader answers `exit()` itself after 1.5 s). */
export const EXIT_WAIT_MS = 1000;

/**
 * @param {import("../effects.js").Io} io
 * @param {{select: (key: string) => void, setTimeout: typeof setTimeout}} deps connect's select, and a timer
 */
export function resumeEffects(io, { select, setTimeout }) {
  const { broker, dispatch, getState } = io;
  /** The broker's last word on `resumable` (the fallback when the exit call fails). */
  let lastResumable = false;
  let known = false;
  // Progress saves go one after another, so that the broker records the steps in the order the owner took them.
  let saving = Promise.resolve();

  /** After the session loaded with its progress: in update mode, a form app opens straight on its sign-in. */
  function opened(progress) {
    known = Boolean(progress);
    lastResumable = Boolean(progress && progress.resumable);
    const state = getState();
    if (state.step !== STEP.RECONNECT) return;
    const app = state.apps.find((a) => a.key === state.life.integration);
    if (app && app.auth_type !== "oauth2") select(app.key);
  }

  /** Record the step reached when the owner moves to another of the broker's steps. */
  function stepChanged(previous, state) {
    const body = progressToRecord(previous, state);
    if (!body || io.exited()) return;
    saving = saving.then(async () => {
      try {
        const progress = await broker.saveProgress(body);
        lastResumable = progress.resumable === true;
        dispatch({ type: "progress", progress });
      } catch {
        // Not worth stopping the owner for: the next step change records again, and leaving asks the broker.
      }
    });
  }

  async function resume() {
    if (getState().life.busy) return;
    dispatch({ type: "resume_busy" });
    try {
      const progress = await broker.resume();
      lastResumable = progress.resumable === true;
      dispatch({ type: "resumed", progress });
      io.enterStep();
    } catch (error) {
      if (tokenRejected(error)) io.fail(error);
      else dispatch({ type: "resume_failed" });
    }
  }

  /**
   * On the way out: tell the broker where the owner left and return whether something is left to resume. When the
   * broker does not answer in time or refuses (an expired token), the last progress answer's word, or true when an
   * app was connected since (as the broker counts it).
   * @returns {Promise<boolean | null>} null when the session never loaded (nothing to say)
   */
  async function leaving() {
    if (!known) return null;
    const step = sessionStep(getState().step);
    const wait = new Promise((resolve) => setTimeout(() => resolve(null), EXIT_WAIT_MS));
    try {
      const answer = await Promise.race([broker.exitSession(step), wait]);
      if (answer && typeof answer.resumable === "boolean") return (lastResumable = answer.resumable);
    } catch {
      // the broker's last word, below
    }
    const state = getState();
    return lastResumable || (state.life.mode === "create" && state.made.length > 0);
  }

  return {
    opened,
    stepChanged,
    leaving,
    actions: {
      resume,
      startFresh: () => dispatch({ type: "start_fresh" }),
      reconnect: () => select(getState().life.integration || ""),
    },
  };
}
