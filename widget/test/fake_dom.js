/** A tiny fake of the DOM the loader touches (no jsdom): elements, a document, a window with message listeners. */

export class FakeElement {
  constructor(tag, doc) {
    this.tagName = tag.toUpperCase();
    this.nodeType = 1;
    this.ownerDocument = doc;
    this.style = {};
    this.attributes = {};
    this.children = [];
    this.parent = null;
    this.inert = false;
    this.hidden = false;
    this.dataset = {};
    this.listeners = {};
    if (tag === "iframe")
      this.contentWindow = {
        posted: [],
        postMessage(data, origin) {
          this.posted.push({ data, origin });
        },
      };
  }
  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }
  appendChild(child) {
    child.parent = this;
    this.children.push(child);
    return child;
  }
  remove() {
    if (this.ownerDocument.modal === this) this.ownerDocument.modal = null;
    if (this.parent) {
      this.parent.children = this.parent.children.filter((c) => c !== this);
      this.parent = null;
    }
  }
  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }
  /** Fire `type` at this element's listeners and its `on<type>` handler (a click, the iframe's load). */
  fire(type) {
    (this.listeners[type] || []).forEach((fn) => fn({ type }));
    if (this[`on${type}`]) this[`on${type}`]({ type });
  }
  focus() {
    this.ownerDocument.activeElement = this;
  }
  querySelector() {
    return null;
  }
}

/** A <dialog>: `showModal` and `close` (other elements have neither). */
class FakeDialog extends FakeElement {
  /** Open, modal (the rest of the page is inert), remembering the focus to give back. */
  showModal() {
    if (this.open) throw new Error("InvalidStateError: already open");
    this.open = true;
    this.ownerDocument.modal = this;
    this.previousFocus = this.ownerDocument.activeElement;
  }
  /** Closed, focus back where it was, then a `close` event (a task later in a browser). */
  close() {
    if (!this.open) return;
    this.open = false;
    if (this.ownerDocument.modal === this) this.ownerDocument.modal = null;
    if (this.previousFocus) this.previousFocus.focus();
    this.fire("close");
  }
}

export function fakeWindow({
  pageOrigin = "https://lender.example",
  scriptSrc = "https://broker.example/widget/v1/loader.js",
} = {}) {
  const listeners = { message: new Set(), load: new Set() };
  const docListeners = { keydown: new Set() };
  /** Pending timers by id: [fn, ms]. */
  const timers = new Map();
  let nextTimer = 0;
  const doc = {
    currentScript: scriptSrc ? { src: scriptSrc } : null,
    querySelector: () => null,
    createElement: (tag) => (tag === "dialog" ? new FakeDialog(tag, doc) : new FakeElement(tag, doc)),
    addEventListener: (type, fn) => docListeners[type].add(fn),
    removeEventListener: (type, fn) => docListeners[type].delete(fn),
    activeElement: null,
    modal: null,
    readyState: "complete",
  };
  doc.body = new FakeElement("body", doc);
  doc.documentElement = new FakeElement("html", doc);
  doc.body.appendChild(new FakeElement("main", doc));
  const win = {
    document: doc,
    location: { origin: pageOrigin, href: `${pageOrigin}/apply` },
    addEventListener: (type, fn) => listeners[type].add(fn),
    removeEventListener: (type, fn) => listeners[type].delete(fn),
    setTimeout: (fn, ms = 0) => {
      timers.set(++nextTimer, [fn, ms]);
      return nextTimer;
    },
    clearTimeout: (id) => timers.delete(id),
    console: { errors: [], error: (text) => win.console.errors.push(text) },
    listeners,
    docListeners,
    /** The delays of the pending timers. */
    pendingTimers: () => [...timers.values()].map(([, ms]) => ms),
    /** Run the pending timers (those of `ms` only, when given). */
    runTimers: (ms) => {
      for (const [id, [fn, delay]] of [...timers]) {
        if (ms !== undefined && delay !== ms) continue;
        timers.delete(id);
        fn();
      }
    },
    /** Press a key on the host page: Escape closes the open modal dialog, unless the focus is in a frame. */
    press: (key) => {
      const event = { key, prevented: false, preventDefault: () => (event.prevented = true) };
      [...docListeners.keydown].forEach((fn) => fn(event));
      const focused = doc.activeElement;
      if (key === "Escape" && doc.modal && !(focused && focused.tagName === "IFRAME")) doc.modal.close();
      return event;
    },
    /** Deliver a MessageEvent to every listener. */
    dispatchMessage: (event) => [...listeners.message].forEach((fn) => fn(event)),
  };
  return win;
}

/** Every iframe currently in the fake document. */
export function iframes(doc) {
  const found = [];
  const walk = (el) => el.children.forEach((c) => (c.tagName === "IFRAME" ? found.push(c) : walk(c)));
  walk(doc.body);
  return found;
}
