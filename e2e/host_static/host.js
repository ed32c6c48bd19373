// The lender's page script in the end-to-end tests: what a lender writes after adding the loader's script tag.
const params = new URLSearchParams(location.search);
window.__events = [];
const record = (...entry) => window.__events.push(JSON.parse(JSON.stringify(entry)));
const options = {
  token: params.get("token"),
  theme: { accent: "#0b5fff", name: "Acme Capital", logoUrl: `${location.origin}/logo.svg` },
  onSuccess: (result) => record("success", result),
  onExit: (error, metadata) => record("exit", error, metadata),
  onEvent: (name, metadata) => {
    if (name === "open") window.__openEventAt = performance.now(); // bench/bench_widget.py times open() with it
    record("event", name, metadata);
  },
};
if (params.get("locale")) options.locale = params.get("locale");
if (params.get("plain")) delete options.theme; // no lender name or colours: what the frame shows on its own
if (params.get("apps")) options.apps = params.get("apps").split(",");
if (params.get("categories")) options.categories = params.get("categories").split(",");
if (params.get("inline")) options.container = document.getElementById("inline");
// A lender that creates the widget only when the owner asks for it: create() and open() in the same task, nothing
// warmed up before (bench/bench_widget.py's "cold" calls this on a page loaded with ?later=1).
window.__createAndOpen = () => {
  window.__openAt = performance.now();
  window.__handle = window.LinkWidget.create(options);
  window.__handle.open();
};
if (!params.get("later")) window.__handle = window.LinkWidget.create(options);
document.getElementById("connect").addEventListener("click", () => window.__handle.open());
