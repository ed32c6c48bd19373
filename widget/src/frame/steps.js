/**
 * The step registry: what comes after "connect" and before the session is shared. Map and reconcile will be
 * registered here by their own modules (each names the token scope it needs); with none registered, finishing
 * the connect step goes straight to "complete".
 */

/** @typedef {{id: string, scope: string, title: string}} RegisteredStep */

/** @type {RegisteredStep[]} */
const AFTER_CONNECT = [];

/**
 * Add a step after "connect" (steps run in registration order; an id can be registered once).
 * @param {RegisteredStep} step
 */
export function registerStep(step) {
  if (!step || !/^[a-z_]{1,32}$/.test(step.id) || typeof step.scope !== "string") {
    throw new TypeError("registerStep: expected {id: 'snake_case', scope: string, title: string}");
  }
  if (AFTER_CONNECT.some((s) => s.id === step.id)) throw new Error(`registerStep: "${step.id}" is already registered`);
  AFTER_CONNECT.push(Object.freeze({ ...step }));
}

/**
 * The step after `current` for a session holding `scopes`: a registered step whose scope the token carries,
 * else "complete".
 * @param {string} current "connect" or a registered step id
 * @param {readonly string[]} scopes
 * @param {readonly RegisteredStep[]} [registry]
 * @returns {string}
 */
export function nextStep(current, scopes, registry = AFTER_CONNECT) {
  const start = current === "connect" ? 0 : registry.findIndex((s) => s.id === current) + 1;
  if (start <= 0 && current !== "connect") return "complete";
  const next = registry.slice(start).find((s) => scopes.includes(s.scope));
  return next ? next.id : "complete";
}

/** The registered steps, in order (read-only). */
export function registeredSteps() {
  return AFTER_CONNECT.slice();
}
