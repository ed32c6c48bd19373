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
    if (this.parent) {
      this.parent.children = this.parent.children.filter((c) => c !== this);
      this.parent = null;
    }
  }
  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }
  focus() {
    this.ownerDocument.activeElement = this;
  }
  querySelector() {
    return null;
  }
}

export function fakeWindow({
  pageOrigin = "https://lender.example",
  scriptSrc = "https://broker.example/widget/v1/loader.js",
} = {}) {
  const listeners = { message: new Set() };
  const docListeners = { keydown: new Set() };
  const timers = [];
  const doc = {
    currentScript: scriptSrc ? { src: scriptSrc } : null,
    querySelector: () => null,
    createElement: (tag) => new FakeElement(tag, doc),
    addEventListener: (type, fn) => docListeners[type].add(fn),
    removeEventListener: (type, fn) => docListeners[type].delete(fn),
    activeElement: null,
  };
  doc.body = new FakeElement("body", doc);
  doc.documentElement = new FakeElement("html", doc);
  doc.body.appendChild(new FakeElement("main", doc));
  const win = {
    document: doc,
    location: { origin: pageOrigin, href: `${pageOrigin}/apply` },
    addEventListener: (type, fn) => listeners[type].add(fn),
    removeEventListener: (type, fn) => listeners[type].delete(fn),
    setTimeout: (fn) => timers.push(fn),
    listeners,
    docListeners,
    runTimers: () => timers.splice(0).forEach((fn) => fn()),
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
