/* Rating tablet at a counter: shows the ticket just served; one tap rates it. */
(function () {
  "use strict";
  var root = document.getElementById("rating");
  if (!root) return;
  var KEY_STORAGE = "onestop.counterKey";
  var pollSeconds = parseInt(root.dataset.poll, 10) || 3;
  var thanksSeconds = parseInt(root.dataset.thanks, 10) || 8;
  var lowScores = (root.dataset.lowScores || "").split(" ");
  var texts = document.getElementById("rating-texts").dataset;
  var views = ["idle", "rate", "reasons", "thanks"].reduce(function (all, name) {
    all[name] = document.getElementById("view-" + name);
    return all;
  }, {});
  var problem = document.getElementById("rating-problem");
  var state = { view: "idle", ticket: null, score: null, sending: false, timer: null };
  var REASONS_TIMEOUT = 45;

  // Paired once with /rate/N#key=…: the key leaves the address bar and stays in this browser.
  var match = /(?:^|[#&])key=([^&]+)/.exec(window.location.hash);
  if (match) {
    window.localStorage.setItem(KEY_STORAGE, decodeURIComponent(match[1]));
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  var deviceKey = window.localStorage.getItem(KEY_STORAGE);
  if (!deviceKey) document.getElementById("rating-unpaired").hidden = false;

  function show(name) {
    state.view = name;
    Object.keys(views).forEach(function (key) { views[key].hidden = key !== name; });
    window.clearTimeout(state.timer);
  }

  function showProblem(message) {
    problem.textContent = message || "";
    problem.hidden = !message;
  }

  function request(method, body) {
    return fetch(root.dataset.api + "?lang=" + root.dataset.locale, {
      method: method,
      cache: "no-store",
      headers: {
        "Content-Type": "application/json",
        "Authorization": "Bearer " + (deviceKey || ""),
      },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, body: data }; });
    });
  }

  function offer(ticket) {
    state.ticket = ticket;
    state.score = null;
    document.getElementById("rate-number").textContent = ticket.number;
    document.getElementById("rate-service").textContent = ticket.service_name;
    root.querySelectorAll(".reason-button").forEach(function (button) {
      button.setAttribute("aria-pressed", "false");
    });
    show("rate");
  }

  function poll() {
    if (state.sending || state.view === "reasons" || state.view === "thanks") return;
    request("GET")
      .then(function (result) {
        if (result.status !== 200) {
          showProblem(result.body.error ? result.body.error.message : texts.networkError);
          return;
        }
        showProblem("");
        var data = result.body;
        var serving = document.getElementById("idle-serving");
        serving.hidden = !data.serving;
        document.getElementById("idle-serving-number").textContent = data.serving || "";
        if (data.ticket && (!state.ticket || state.ticket.id !== data.ticket.id || state.view === "idle")) {
          offer(data.ticket);
        } else if (!data.ticket && state.view === "rate") {
          show("idle");
        }
      })
      .catch(function () { showProblem(texts.networkError); });
  }

  function thanks() {
    show("thanks");
    state.timer = window.setTimeout(function () { state.ticket = null; show("idle"); poll(); },
      thanksSeconds * 1000);
  }

  function send(reasons) {
    if (state.sending || !state.ticket) return;
    state.sending = true;
    request("POST", { ticket_id: state.ticket.id, score: state.score, reasons: reasons })
      .then(function (result) {
        if (result.status === 201 || (result.body.error && result.body.error.code === "already_rated")) {
          showProblem("");
          thanks();
        } else {
          showProblem(result.body.error ? result.body.error.message : texts.networkError);
          show("idle");
        }
      })
      .catch(function () { showProblem(texts.networkError); })
      .finally(function () { state.sending = false; });
  }

  function chosenReasons() {
    return Array.prototype.map.call(
      root.querySelectorAll('.reason-button[aria-pressed="true"]'),
      function (button) { return button.dataset.reason; });
  }

  root.querySelectorAll(".score-button").forEach(function (button) {
    button.addEventListener("click", function () {
      state.score = button.dataset.score;
      if (lowScores.indexOf(state.score) >= 0) {
        show("reasons");
        // Walked away without pressing send: the rating itself still counts.
        state.timer = window.setTimeout(function () { send(chosenReasons()); }, REASONS_TIMEOUT * 1000);
      } else {
        send([]);
      }
    });
  });
  root.querySelectorAll(".reason-button").forEach(function (button) {
    button.addEventListener("click", function () {
      var pressed = button.getAttribute("aria-pressed") === "true";
      button.setAttribute("aria-pressed", pressed ? "false" : "true");
    });
  });
  document.getElementById("reasons-send").addEventListener("click", function () {
    send(chosenReasons());
  });
  document.getElementById("reasons-back").addEventListener("click", function () {
    show("rate");
  });

  poll();
  window.setInterval(poll, pollSeconds * 1000);
})();
