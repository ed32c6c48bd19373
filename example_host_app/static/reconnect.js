// The owner's reconnect page: fetch the update-mode link token from this site's server and open the LinkWidget on it
// at once (the widget opens on the app's sign-in); the button opens it again after the owner closed it.
(() => {
  "use strict";
  const button = document.getElementById("reconnect");
  const status = document.getElementById("status");
  if (!button) return;
  const words = button.dataset;
  const say = (text) => {
    status.textContent = text;
  };

  const fetchToken = async () => {
    const response = await fetch(words.tokenUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": words.csrf, Accept: "application/json" },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok || typeof body.link_token !== "string") {
      throw new Error((body.error && body.error.message) || `the server answered ${response.status}`);
    }
    return body.link_token;
  };

  const open = async () => {
    if (!window.LinkWidget) return;
    button.disabled = true;
    say(words.opening);
    let token;
    try {
      token = await fetchToken();
    } catch (error) {
      say(words.failed.replace("{reason}", error.message));
      button.disabled = false;
      return;
    }
    window.__reconnect = { events: [] };
    const handle = window.LinkWidget.create({
      token,
      locale: words.locale,
      onEvent: (name, metadata) => window.__reconnect.events.push([name, metadata]),
      onSuccess: (result) => {
        window.__reconnect.success = result;
        say(words.done);
        button.remove();
      },
      onExit: (error, metadata) => {
        window.__reconnect.exit = { error, metadata };
        say(error ? words.failed.replace("{reason}", error.message || error.code) : words.closed);
        button.disabled = false;
      },
    });
    say("");
    handle.open();
  };

  button.addEventListener("click", open);
  open();
})();
