/**
 * The OAuth callback page's script (in the popup, on the broker's origin): tell the frame that opened the popup
 * that this attempt finished, naming the exact origin, then close. When the provider cut the opener link (COOP)
 * there is nobody to tell: the frame learns the result by polling the broker, and this page asks to be closed.
 */
import { MESSAGE, send } from "../messages.js";

const root = document.getElementById("callback");
const attemptId = root?.dataset.attempt || "";
const status = root?.dataset.status || "error";
const error = root?.dataset.error || null;
let told = false;
try {
  told =
    Boolean(window.opener) &&
    send(window.opener, location.origin, MESSAGE.ATTEMPT, { attempt_id: attemptId, status, error });
} catch {
  told = false;
}
document.getElementById(told ? "closing" : "manual")?.removeAttribute("hidden");
window.setTimeout(() => window.close(), told ? 300 : 1500);
