/* Kiosk: tap a service, get a ticket through the API, show it, return to the start. */
(function () {
  "use strict";
  var root = document.getElementById("kiosk");
  if (!root) return;
  var KEY_STORAGE = "onestop.kioskKey";
  var returnSeconds = parseInt(root.dataset.returnSeconds, 10) || 20;
  var texts = document.getElementById("kiosk-texts").dataset;
  var startView = document.getElementById("kiosk-start");
  var resultView = document.getElementById("kiosk-result");
  var errorView = document.getElementById("kiosk-error");
  var priorityToggle = document.getElementById("priority-toggle");
  var priority = false;
  var busy = false;
  var countdownTimer = null;

  // The device key arrives once in the address fragment (#key=…), which browsers never
  // send to the server, and is kept in this browser only.
  var match = /(?:^|[#&])key=([^&]+)/.exec(window.location.hash);
  if (match) {
    window.localStorage.setItem(KEY_STORAGE, decodeURIComponent(match[1]));
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  var deviceKey = window.localStorage.getItem(KEY_STORAGE);
  if (!deviceKey) {
    document.getElementById("kiosk-unpaired").hidden = false;
  }

  function show(view) {
    [startView, resultView, errorView].forEach(function (element) {
      element.hidden = element !== view;
    });
  }

  function backToStart() {
    window.clearInterval(countdownTimer);
    priority = false;
    priorityToggle.setAttribute("aria-pressed", "false");
    busy = false;
    show(startView);
    refreshWaiting();
  }

  // One countdown at a time brings the kiosk back to the start screen.
  function startCountdown(seconds, label) {
    var left = seconds;
    if (label) label.textContent = left;
    window.clearInterval(countdownTimer);
    countdownTimer = window.setInterval(function () {
      left -= 1;
      if (label) label.textContent = left;
      if (left <= 0) backToStart();
    }, 1000);
  }

  function showTicket(ticket) {
    document.getElementById("result-number").textContent = ticket.number;
    document.getElementById("result-service").textContent = ticket.service_name;
    document.getElementById("result-ahead").textContent = ticket.waiting_ahead;
    document.getElementById("result-wait").textContent = ticket.estimated_wait_minutes;
    document.getElementById("result-priority").hidden = !ticket.priority;
    document.getElementById("result-qr").src = root.dataset.qrUrl.replace("TOKEN", ticket.token);
    // The ticket is saved whatever the printer does; say so when no slip may come out.
    var print = ticket.print;
    var printerTrouble = !!print && (print.status !== "queued" ||
      print.printer_state === "offline" || print.printer_state === "paper_out");
    document.getElementById("result-print-warning").hidden = !printerTrouble;
    document.getElementById("result-note").hidden = printerTrouble;
    show(resultView);
    startCountdown(returnSeconds, document.getElementById("result-countdown"));
  }

  function showError(message) {
    document.getElementById("error-message").textContent = message;
    show(errorView);
    startCountdown(10, null);
  }

  function takeTicket(serviceCode) {
    if (busy) return;
    busy = true;
    fetch(root.dataset.api + "?lang=" + root.dataset.locale, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Authorization": "Bearer " + (deviceKey || ""),
      },
      body: JSON.stringify({ service: serviceCode, priority: priority }),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        if (result.ok) showTicket(result.body);
        else showError(result.body.error ? result.body.error.message : texts.networkError);
      })
      .catch(function () {
        showError(texts.networkError);
      });
  }

  function refreshWaiting() {
    fetch(root.dataset.servicesUrl)
      .then(function (response) { return response.json(); })
      .then(function (body) {
        body.services.forEach(function (service) {
          var cell = root.querySelector('[data-waiting="' + service.code + '"]');
          if (cell) cell.textContent = service.waiting;
        });
      })
      .catch(function () { /* keep the last figures */ });
  }

  root.querySelectorAll(".service-button").forEach(function (button) {
    button.addEventListener("click", function () {
      takeTicket(button.dataset.service);
    });
  });
  priorityToggle.addEventListener("click", function () {
    priority = !priority;
    priorityToggle.setAttribute("aria-pressed", priority ? "true" : "false");
  });
  document.getElementById("result-done").addEventListener("click", backToStart);
  document.getElementById("error-done").addEventListener("click", backToStart);

  var clock = document.getElementById("kiosk-clock");
  function tick() {
    var now = new Date();
    // The centre's time, whatever the kiosk PC's own time zone.
    var zone = root.dataset.timezone;
    clock.textContent =
      now.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: zone }) +
      " · " + now.toLocaleDateString("vi-VN", { timeZone: zone });
  }
  tick();
  window.setInterval(tick, 15000);
  window.setInterval(function () { if (!busy) refreshWaiting(); }, 15000);
})();
