/**
 * What every step's effects share: the frame they run in (`Io`, handed to them by app.js and faked by the node tests)
 * and running a broker call whose rejected token ends in the "expired" step.
 */
import { BrokerError } from "./api.js";

/**
 * What a step's effects may use of the frame. Nothing else: no `window`, no `document`.
 * @typedef {object} Io
 * @property {ReturnType<typeof import("./api.js").createBroker>} broker the broker client
 * @property {() => Record<string, any>} getState the state now
 * @property {(action: {type: string, [key: string]: any}) => Record<string, any>} dispatch reduce and render
 * @property {(name: string, metadata: Record<string, any>) => void} emit an event for the host
 * @property {(text: string) => void} announce a sentence for the polite live region
 * @property {(error: unknown, integration?: string | null) => void} fail a call that failed and that the step does
 *   not handle itself (an expired token, a mismatched origin, or the "failed" step)
 * @property {() => boolean} exited whether the widget has exited (or succeeded): nothing more may happen
 * @property {() => void} enterStep start what the step just entered needs (load its data, or complete)
 * @property {(key: string, vars?: Record<string, any>) => string} t the owner's words
 */

/** Whether a broker call was refused because the link token expired or was revoked. */
export function tokenRejected(error) {
  return error instanceof BrokerError && error.status === 401;
}

/**
 * Run `work` (broker calls and what follows them): a rejected token goes to `io.fail`, another error to `onError`
 * with its code ("broker_error" when it has none).
 * @param {Io} io
 * @param {() => Promise<void>} work
 * @param {(code: string) => void} onError
 * @returns {Promise<void>}
 */
export async function brokerWork(io, work, onError) {
  try {
    await work();
  } catch (error) {
    if (tokenRejected(error)) io.fail(error);
    else onError(error.code || "broker_error");
  }
}

/**
 * Send what the owner asked for: dispatch `busy` (the step shows it is under way), run `work` as brokerWork does, and
 * dispatch `{type: failed, code}` when the broker refuses it.
 * @param {Io} io
 * @param {string} busy the action type that marks the request under way
 * @param {string} failed the action type of a refusal, with its code
 * @param {() => Promise<void>} work
 * @returns {Promise<void>}
 */
export async function submit(io, busy, failed, work) {
  io.dispatch({ type: busy });
  await brokerWork(io, work, (code) => io.dispatch({ type: failed, code }));
}
