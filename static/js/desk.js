/* Counter console: one tap per action, no double submits, and the queue keeps itself fresh. */
(function () {
  "use strict";
  var submitting = false;

  // A tapped action disables every button until the next page arrives: a double tap
  // must not call two citizens.
  document.addEventListener("submit", function (event) {
    if (submitting) {
      event.preventDefault();
      return;
    }
    submitting = true;
    document.body.classList.add("is-busy");
  });

  window.addEventListener("pageshow", function () {
    submitting = false;
    document.body.classList.remove("is-busy");
  });

  var consoleRoot = document.getElementById("desk-console");
  if (!consoleRoot) return;
  var seconds = parseInt(consoleRoot.dataset.refresh, 10) || 5;
  // Background requests do not count as activity: an unattended console still times out.
  var background = { cache: "no-store", credentials: "same-origin", headers: { "X-Background": "1" } };

  function busy() {
    return submitting || document.querySelector("details[open]") !== null ||
      (document.activeElement && document.activeElement.tagName === "SELECT");
  }

  // Others change the queue (the kiosk, keypads, other counters): when the state's
  // fingerprint changes, take the fresh console from the server and swap it in.
  function refresh() {
    fetch(window.location.pathname, background)
      .then(function (response) {
        if (response.redirected || !response.ok) { window.location.reload(); return null; }
        return response.text();
      })
      .then(function (html) {
        if (!html || busy()) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var freshConsole = fresh.getElementById("desk-console");
        if (!freshConsole) { window.location.reload(); return; }
        consoleRoot.innerHTML = freshConsole.innerHTML;
        consoleRoot.dataset.version = freshConsole.dataset.version;
      })
      .catch(function () { /* try again at the next tick */ });
  }

  function poll() {
    if (busy()) return;
    fetch(consoleRoot.dataset.stateUrl, background)
      .then(function (response) {
        if (response.redirected || response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (state && state.version !== consoleRoot.dataset.version) refresh();
      })
      .catch(function () { /* the server may be restarting; keep trying */ });
  }
  window.setInterval(poll, seconds * 1000);
})();
