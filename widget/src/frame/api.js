/**
 * The frame's client of the broker's widget endpoints (/v1/link/...): the bearer link token on every call,
 * JSON in and out, errors turned into `BrokerError` with the broker's code.
 */

/** An error answer from the broker (or no answer at all: code "network_error"). */
export class BrokerError extends Error {
  /**
   * @param {number} status @param {string} code @param {string} message
   * @param {Record<string, any> | null} [details] the error's `details` (e.g. the coverage of a refused share)
   */
  constructor(status, code, message, details = null) {
    super(message);
    this.name = "BrokerError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const IDEMPOTENT = Object.freeze(["GET", "PUT"]);
const RETRY_STATUSES = Object.freeze([502, 503, 504]);
// About 15 s in all: long enough for a broker process to be restarted or replaced behind its load balancer.
export const RETRY_DELAYS_MS = Object.freeze([500, 1000, 2000, 4000, 8000]);
const parseJson = (text) => {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The URL and `fetch` options of one call to the broker (also used by the frame's inline boot script, which starts the
 * bootstrap call before the bundle is there).
 * @param {string} token the link token
 * @param {string} method
 * @param {string} path under /v1/link
 * @param {unknown} [body] JSON body, or a FormData (sent as multipart)
 * @returns {[string, Record<string, any>]}
 */
export function brokerRequest(token, method, path, body) {
  const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
  const init = {
    method,
    headers,
    credentials: "omit",
    cache: "no-store",
    redirect: "error",
    referrerPolicy: "no-referrer",
  };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return [`/v1/link/${path}`, init];
}

/**
 * @param {string} token the link token (held in memory only)
 * @param {typeof fetch} [fetchImpl]
 * @param {readonly number[]} [retryDelaysMs] waits before each retry of a read or an idempotent save
 */
export function createBroker(token, fetchImpl = fetch, retryDelaysMs = RETRY_DELAYS_MS) {
  /**
   * @param {string} method
   * @param {string} path under /v1/link
   * @param {unknown} [body] JSON body, or a FormData (sent as multipart)
   */
  async function call(method, path, body) {
    const [url, init] = brokerRequest(token, method, path, body);
    let answer;
    for (let attempt = 0; ; attempt += 1) {
      answer = await exchange(url, init);
      // Reads and idempotent saves ride over a broker restart or a brief outage; other calls are never repeated.
      const transient = answer === null || RETRY_STATUSES.includes(answer.response.status);
      if (!transient || !IDEMPOTENT.includes(method) || attempt >= retryDelaysMs.length) break;
      await sleep(retryDelaysMs[attempt]);
    }
    if (answer === null) throw new BrokerError(0, "network_error", "The broker could not be reached.");
    const { response, data } = answer;
    if (!response.ok) {
      const error = data && data.error ? data.error : {};
      throw new BrokerError(
        response.status,
        error.code || "broker_error",
        error.message || `HTTP ${response.status}`,
        error.details || null,
      );
    }
    return data;
  }
  /**
   * One request and its whole body, or null when either failed in transit (a broker killed mid-answer sends the
   * status line and then cuts the body: that is no answer, not an empty one).
   * @returns {Promise<{response: Response, data: any} | null>}
   */
  async function exchange(url, init) {
    try {
      const response = await fetchImpl(url, init);
      const text = await response.text();
      return { response, data: parseJson(text) };
    } catch {
      return null;
    }
  }
  const id = (value) => encodeURIComponent(value);
  return Object.freeze({
    /** The session and the catalogue in one call: `{session, integrations}` (what the first step needs). */
    bootstrap: () => call("GET", "bootstrap"),
    session: () => call("GET", "session"),
    integrations: () => call("GET", "integrations"),
    connections: () => call("GET", "connections"),
    startAttempt: (integration) => call("POST", "attempts", { integration }),
    attempt: (attemptId) => call("GET", `attempts/${id(attemptId)}`),
    credentials: (attemptId, fields) => call("POST", `attempts/${id(attemptId)}/credentials`, fields),
    mfa: (attemptId, fields) => call("POST", `attempts/${id(attemptId)}/mfa`, fields),
    upload: (attemptId, form) => call("POST", `attempts/${id(attemptId)}/upload`, form),
    complete: () => call("POST", "complete", {}),
    mapping: () => call("GET", "mapping"),
    saveMapping: (body) => call("PUT", "mapping", body),
    reconciliation: (month) => call("GET", month ? `reconciliation?month=${id(month)}` : "reconciliation"),
    saveReconciliation: (body) => call("POST", "reconciliation", body),
    /** Invite an accountant: `{name}` → `{id, name, url, expires_at}` (the link to copy; single use). */
    invite: (body) => call("POST", "invitations", body),
    /** Record the step reached: `{step, done}` → the progress answer (see docs/widget.md, 4b). */
    saveProgress: (body) => call("PUT", "progress", body),
    /** Take over the company's earlier unfinished session → the progress answer. */
    resume: () => call("POST", "resume", {}),
    /** The owner leaves at `step` (a broker step, or null) → `{link_session_id, resumable, step}`. */
    exitSession: (step) => call("POST", "exit", step ? { step } : {}),
    notes: () => call("GET", "notes"),
    saveNotes: (body) => call("PUT", "notes", body),
    coverage: () => call("GET", "coverage"),
    consentTerms: () => call("GET", "consent_terms"),
    statements: () => call("GET", "statements"),
    data: (name) => call("GET", `data/${id(name)}`),
    attest: (body) => call("POST", "attestation", body),
  });
}
