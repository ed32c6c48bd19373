/** Fakes the steps' effects run on in node: a store over the real reducer, timers run by hand, a popup, a broker. */
import { BrokerError } from "../src/frame/api.js";
import { initialState, reduce } from "../src/frame/state.js";

export const APPS = [
  { key: "ledgerly", name: "Ledgerly", category: "accounting", auth_type: "oauth2", connected: false, status: null },
  {
    key: "northbank",
    name: "Northbank",
    category: "banking",
    auth_type: "credentials",
    connected: false,
    status: null,
  },
];

/** The state after the catalogue loaded, for a token holding `scopes`, with `connections` already made. */
export function catalogueState(scopes = ["link"], connections = []) {
  return reduce(initialState(), { type: "loaded", session: { scopes, connections }, apps: APPS });
}

/** Words as their keys with their variables, so that tests read which sentence was said. */
export const t = (key, vars) => (vars ? `${key} ${JSON.stringify(vars)}` : key);

/**
 * The `io` the effects get: the real reducer behind `dispatch`, and every event, announcement and failure recorded.
 * @param {Record<string, any>} state the state to start from
 * @param {Record<string, Function>} broker the broker calls the test answers
 */
export function fakeIo(state, broker) {
  const io = {
    state,
    actions: [],
    events: [],
    said: [],
    failed: [],
    entered: [],
    done: false,
    broker,
    t,
    getState: () => io.state,
    dispatch: (action) => {
      io.actions.push(action.type);
      io.state = reduce(io.state, action);
      return io.state;
    },
    emit: (name, metadata) => io.events.push([name, metadata]),
    announce: (text) => io.said.push(text),
    fail: (error, integration) => io.failed.push([error.code, integration]),
    exited: () => io.done,
    enterStep: () => io.entered.push(io.state.step),
  };
  return io;
}

/** Timers that only fire when the test says so (each callback awaited, as the effects' ticks are async). */
export function fakeTimers() {
  let last = 0;
  const pending = new Map();
  return {
    pending,
    setTimeout(fn, ms) {
      pending.set(++last, { fn, ms });
      return last;
    },
    clearTimeout(id) {
      pending.delete(id);
    },
    /** Run the earliest timer; returns its delay. */
    async runNext() {
      const [id, { fn, ms }] = [...pending][0];
      pending.delete(id);
      await fn();
      return ms;
    },
  };
}

/** A window with fake timers, a popup opener (or a blocked one) and message listeners. */
export function fakeWindow({ blocked = false } = {}) {
  const timers = fakeTimers();
  const win = {
    ...timers,
    timers,
    location: { origin: "https://broker.test" },
    opened: [],
    listeners: [],
    open(url, name, features) {
      win.opened.push([url, name, features]);
      if (blocked) return null;
      const popup = {
        closed: false,
        loaded: [],
        location: { replace: (to) => popup.loaded.push(to) },
        close: () => (popup.closed = true),
        focus() {},
      };
      win.popup = popup;
      return popup;
    },
    addEventListener: (type, listener) => win.listeners.push([type, listener]),
    /** Deliver a message event to the listeners. */
    async message(event) {
      for (const [type, listener] of win.listeners) if (type === "message") await listener(event);
    },
  };
  return win;
}

/** Let pending promise callbacks run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

export const expiredToken = () => new BrokerError(401, "token_expired", "expired");
