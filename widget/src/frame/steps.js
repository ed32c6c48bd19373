/**
 * The step registry: what comes after "connect" and before the session is shared. Map and reconcile will be
 * registered here by their own modules (each names the token scope it needs); with none registered, finishing
 * the connect step goes straight to "complete".
 */

/**
 * A step after "connect": it runs when the token carries `scope` and, when `needs` is given, once an app of each of
 * those categories is connected (mapping needs books; reconciling needs books and a bank).
 * @typedef {{id: string, scope: string, title: string, needs?: readonly string[]}} RegisteredStep
 */

/** @type {RegisteredStep[]} */
const AFTER_CONNECT = [];

/**
 * Add a step after "connect" (steps run in registration order; an id can be registered once).
 * @param {RegisteredStep} step
 */
export function registerStep(step) {
  const needsOk =
    step && (step.needs === undefined || (Array.isArray(step.needs) && step.needs.every((c) => typeof c === "string")));
  if (!step || !/^[a-z_]{1,32}$/.test(step.id) || typeof step.scope !== "string" || !needsOk) {
    throw new TypeError("registerStep: expected {id: 'snake_case', scope: string, title: string, needs?: string[]}");
  }
  if (AFTER_CONNECT.some((s) => s.id === step.id)) throw new Error(`registerStep: "${step.id}" is already registered`);
  AFTER_CONNECT.push(Object.freeze({ ...step, needs: Object.freeze([...(step.needs || [])]) }));
}

/**
 * The step after `current` for a session holding `scopes`: a registered step whose scope the token carries (and,
 * when `connected` is given, whose needed categories are all connected), else "complete".
 * @param {string} current "connect" or a registered step id
 * @param {readonly string[]} scopes
 * @param {readonly RegisteredStep[]} [registry]
 * @param {Iterable<string> | null} [connected] categories of the connected apps; null: do not check `needs`
 * @returns {string}
 */
export function nextStep(current, scopes, registry = AFTER_CONNECT, connected = null) {
  const start = current === "connect" ? 0 : registry.findIndex((s) => s.id === current) + 1;
  if (start <= 0 && current !== "connect") return "complete";
  const have = connected === null ? null : new Set(connected);
  const runs = (s) => scopes.includes(s.scope) && (have === null || (s.needs || []).every((c) => have.has(c)));
  const next = registry.slice(start).find(runs);
  return next ? next.id : "complete";
}

/** The registered steps, in order (read-only). */
export function registeredSteps() {
  return AFTER_CONNECT.slice();
}
