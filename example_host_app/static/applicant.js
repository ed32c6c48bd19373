// The applicant page: fetch a link token from this site's server, open the LinkWidget, show what it reports.
(() => {
  "use strict";
  const button = document.getElementById("connect");
  const status = document.getElementById("status");
  const log = document.getElementById("events");
  const result = document.getElementById("result");
  if (!button || !log) return;

  const say = (text) => {
    status.textContent = text;
  };

  /** Append one line to the event log; every value goes through textContent, never HTML. */
  const record = (name, detail) => {
    const placeholder = log.querySelector(".placeholder");
    if (placeholder) placeholder.remove();
    const item = document.createElement("li");
    const time = document.createElement("time");
    const now = new Date();
    time.dateTime = now.toISOString();
    time.textContent = now.toLocaleTimeString();
    const label = document.createElement("span");
    label.className = "name";
    label.textContent = ` ${name} `;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = detail === undefined ? "" : JSON.stringify(detail);
    item.append(time, label, meta);
    item.dataset.event = name;
    log.append(item);
  };

  const showResult = (payload) => {
    const connections = Array.isArray(payload && payload.connections) ? payload.connections : [];
    document.getElementById("result-count").textContent = String(connections.length);
    const list = document.getElementById("result-connections");
    list.replaceChildren(
      ...connections.map((c) => {
        const li = document.createElement("li");
        li.textContent = [c.name || c.integration, c.category, c.status].filter(Boolean).join(" · ");
        return li;
      }),
    );
    result.hidden = false;
    result.focus();
  };

  const fetchToken = async () => {
    const response = await fetch(button.dataset.tokenUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": button.dataset.csrf, Accept: "application/json" },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok || typeof body.link_token !== "string") {
      throw new Error((body.error && body.error.message) || `the server answered ${response.status}`);
    }
    return body.link_token;
  };

  button.addEventListener("click", async () => {
    if (!window.LinkWidget) {
      say("The connection widget could not load. Check your connection and reload the page.");
      return;
    }
    button.disabled = true;
    say("Opening a secure session…");
    let token;
    try {
      token = await fetchToken();
    } catch (error) {
      say(`Could not start: ${error.message}`);
      button.disabled = false;
      return;
    }
    const handle = window.LinkWidget.create({
      token,
      onEvent: (name, metadata) => record(`onEvent: ${name}`, metadata),
      onSuccess: (payload) => {
        record("onSuccess", payload);
        say("Done: your data is shared.");
        button.disabled = false;
        showResult(payload);
      },
      onExit: (error, metadata) => {
        record("onExit", { error, metadata });
        say(error ? `Stopped: ${error.message || error.code || "an error"}` : "Closed. You can continue any time.");
        button.disabled = false;
      },
    });
    say("");
    handle.open();
  });
})();
