/* Kiosk: tap a service (or, when there are many, an agency and then its service, or find it
 * by name), answer the priority question, get a ticket through the API, show it, and start
 * afresh for the next citizen: in Vietnamese, on the start screen. */
(function () {
  "use strict";
  var root = document.getElementById("kiosk");
  if (!root) return;
  var KEY_STORAGE = "onestop.kioskKey";
  var returnSeconds = parseInt(root.dataset.returnSeconds, 10) || 20;
  var idleSeconds = parseInt(root.dataset.idleSeconds, 10) || 60;
  var locale = root.dataset.locale === "en" ? "en" : "vi";
  var texts = document.getElementById("kiosk-texts").dataset;
  var startView = document.getElementById("kiosk-start");
  var askView = document.getElementById("kiosk-ask");
  var resultView = document.getElementById("kiosk-result");
  var errorView = document.getElementById("kiosk-error");
  var notReadyView = document.getElementById("kiosk-not-ready");
  var servicesView = document.getElementById("kiosk-services"); // only with many services
  var notifyView = document.getElementById("kiosk-notify"); // absent: no SMS or Zalo set up
  var checkInView = document.getElementById("kiosk-checkin");
  var views = [startView, askView, checkInView, resultView, errorView, notReadyView];
  if (servicesView) views.push(servicesView);
  if (notifyView) views.push(notifyView);
  var listView = startView; // where the question's "back" returns
  // A booking that cannot check in now may still take an ordinary ticket.
  var ORDINARY_OFFERED = ["outside_check_in_window", "no_booking_today", "appointment_not_found",
    "appointment_closed"];
  var scanned = "";
  var scannedAt = 0;
  var current = startView;
  var chosenService = null;
  var busy = false;
  var countdownTimer = null;
  var idleTimer = null;
  var deviceKey = null;
  var shownTicket = null;
  var phoneDigits = "";

  function byId(id) { return document.getElementById(id); }

  function show(view) {
    views.forEach(function (element) { element.hidden = element !== view; });
    current = view;
    // The language switch would reload the page: not while a ticket is on the screen.
    document.body.dataset.kioskView = view.id;
    watchIdle();
  }

  /* ---- activation: the device key arrives once in the address fragment (#key=…), which
   * browsers never send to the server; it is kept in this browser only and leaves the
   * address bar at once, whether the page was just opened or already open. ---- */
  function readKeyFromAddress() {
    var match = /(?:^|[#&])key=([^&]+)/.exec(window.location.hash);
    if (match) window.localStorage.setItem(KEY_STORAGE, decodeURIComponent(match[1]));
    // Neither the key nor a language choice stays in the address bar.
    if (window.location.hash || window.location.search) {
      history.replaceState(null, "", window.location.pathname);
    }
    deviceKey = window.localStorage.getItem(KEY_STORAGE);
    return Boolean(match);
  }

  function notReady(detail) {
    byId("not-ready-detail").textContent = detail;
    if (window.console) window.console.warn("Kiosk not ready: " + detail);
    window.clearInterval(countdownTimer);
    busy = false;
    show(notReadyView);
  }

  /* ---- starting afresh: the language switch lasts one citizen ---- */
  function isFresh() {
    return current === startView && locale === "vi";
  }

  // Any touch on the question, or on a start screen left in English, puts off the return to
  // the start; a ticket or an error returns by its own countdown.
  function watchIdle() {
    window.clearTimeout(idleTimer);
    idleTimer = null;
    var choosing = current === startView || current === askView || current === servicesView ||
      current === checkInView;
    if (isFresh() || !choosing) return;
    idleTimer = window.setTimeout(startAfresh, idleSeconds * 1000);
  }

  function startAfresh() {
    window.clearInterval(countdownTimer);
    chosenService = null;
    busy = false;
    listView = startView;
    if (!deviceKey) { notReady(texts.noKey); return; }
    show(startView);
    if (locale === "vi") {
      refreshWaiting();
      return;
    }
    // The Vietnamese page, once the server answers (a kiosk never lands on a browser error).
    fetch(root.dataset.servicesUrl, { cache: "no-store" })
      .then(function (response) {
        if (response.ok) window.location.replace(root.dataset.startUrl);
        else watchIdle();
      })
      .catch(watchIdle);
  }

  /* One countdown at a time brings the kiosk back to the start screen. */
  function startCountdown(seconds, label) {
    var left = seconds;
    if (label) label.textContent = left;
    window.clearInterval(countdownTimer);
    countdownTimer = window.setInterval(function () {
      left -= 1;
      if (label) label.textContent = left;
      if (left <= 0) startAfresh();
    }, 1000);
  }

  /* ---- many services: an agency's, or those the search finds ---- */
  // Lower case without Vietnamese diacritics, as the server's search keys (core.vntext).
  function fold(text) {
    return text.replace(/[đĐ]/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }

  function showOnly(keep) {
    var shown = 0;
    root.querySelectorAll("#kiosk-services .service-button").forEach(function (button) {
      button.hidden = !keep(button);
      if (!button.hidden) shown += 1;
    });
    byId("search-empty").hidden = shown > 0;
  }

  function openAgency(button) {
    var agency = button.dataset.agency;
    byId("services-title").textContent = button.dataset.name;
    byId("kiosk-search").hidden = true;
    showOnly(function (service) { return service.dataset.agency === agency; });
    listView = servicesView;
    show(servicesView);
  }

  function search() {
    var terms = fold(byId("search-input").value).replace(/[^a-z0-9]+/g, " ").split(" ")
      .filter(Boolean);
    // Each word typed begins a word of the name ("an" finds "an ninh", not "vận tải").
    showOnly(function (service) {
      var key = " " + service.dataset.search.replace(/[^a-z0-9]+/g, " ");
      return terms.every(function (term) { return key.indexOf(" " + term) !== -1; });
    });
  }

  function openSearch() {
    var title = byId("services-title");
    title.textContent = title.dataset.searchTitle;
    byId("kiosk-search").hidden = false;
    byId("search-input").value = "";
    search();
    listView = servicesView;
    show(servicesView);
  }

  function press(key) {
    var input = byId("search-input");
    if (key === "back") input.value = input.value.slice(0, -1);
    else if (key === "clear") input.value = "";
    else input.value += key;
    search();
  }

  /* ---- the citizen's steps ---- */
  function ask(button) {
    if (busy) return;
    chosenService = button.dataset.service;
    byId("ask-prefix").textContent = button.dataset.prefix;
    byId("ask-service").textContent =
      button.querySelector(".service-button__name").textContent.trim();
    show(askView);
  }

  function showTicket(ticket) {
    shownTicket = ticket;
    if (notifyView) {
      byId("notify-open").hidden = false;
      byId("notify-done").hidden = true;
    }
    byId("result-number").textContent = ticket.number;
    byId("result-service").textContent = ticket.service_name;
    byId("result-ahead").textContent = ticket.waiting_ahead;
    byId("result-wait").textContent = ticket.estimated_wait_minutes;
    byId("result-priority").hidden = !ticket.priority;
    byId("result-booked").hidden = !ticket.booked_for;
    byId("result-booked-time").textContent = ticket.booked_for ? ticket.booked_for.slice(11, 16) : "";
    byId("result-qr").src = root.dataset.qrUrl.replace("TOKEN", ticket.token);
    // "Take your slip" only when a slip is really on its way: the ticket is saved whatever
    // the printer does, and a kiosk without a printer gets `print: null`.
    var print = ticket.print;
    var printing = !!print && print.status === "queued" &&
      print.printer_state !== "offline" && print.printer_state !== "paper_out";
    byId("result-note").hidden = !printing;
    byId("result-print-warning").hidden = !print || printing;
    byId("result-no-slip").hidden = !!print;
    root.dataset.printing = printing ? "yes" : "no";
    show(resultView);
    startCountdown(returnSeconds, byId("result-countdown"));
  }

  /* ---- asking to be told by SMS: the phone typed on the keypad, sent once agreed ---- */
  function showPhone() {
    var shown = phoneDigits.replace(/^(\d{4})(\d{0,3})(\d{0,3})$/, function (_, a, b, c) {
      return [a, b, c].filter(Boolean).join(" ");
    });
    byId("notify-phone").textContent = shown;
    byId("notify-agree").disabled = !/^0\d{9}$/.test(phoneDigits);
    byId("notify-error").hidden = true;
    // Each key gives the citizen the full time again before the kiosk starts afresh.
    startCountdown(idleSeconds, null);
  }

  function openNotify() {
    if (!shownTicket) return;
    phoneDigits = "";
    byId("notify-number").textContent = shownTicket.number;
    show(notifyView);
    showPhone();
  }

  function backToTicket() {
    show(resultView);
    startCountdown(returnSeconds, byId("result-countdown"));
  }

  function agreeToNotices() {
    if (busy || !shownTicket) return;
    busy = true;
    var url = notifyView.dataset.url.replace("TOKEN", shownTicket.token) + "?lang=" + locale;
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + deviceKey },
      body: JSON.stringify({ phone: phoneDigits, channel: notifyView.dataset.channel, agree: true }),
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        busy = false;
        if (!result.ok) {
          byId("notify-error").textContent =
            result.body.error ? result.body.error.message : texts.networkError;
          byId("notify-error").hidden = false;
          return;
        }
        byId("notify-open").hidden = true;
        byId("notify-done").textContent = texts.notifyDone + " " + result.body.phone;
        byId("notify-done").hidden = false;
        backToTicket();
      })
      .catch(function () {
        busy = false;
        byId("notify-error").textContent = texts.networkError;
        byId("notify-error").hidden = false;
      });
  }

  if (notifyView) {
    byId("notify-open").addEventListener("click", openNotify);
    notifyView.querySelectorAll("[data-digit]").forEach(function (key) {
      key.addEventListener("click", function () {
        if (phoneDigits.length < 10) phoneDigits += key.dataset.digit;
        showPhone();
      });
    });
    byId("notify-erase").addEventListener("click", function () {
      phoneDigits = phoneDigits.slice(0, -1);
      showPhone();
    });
    byId("notify-clear").addEventListener("click", function () { phoneDigits = ""; showPhone(); });
    byId("notify-agree").addEventListener("click", agreeToNotices);
    byId("notify-cancel").addEventListener("click", backToTicket);
  }

  function showError(message, code) {
    byId("error-message").textContent = message;
    byId("error-ordinary").hidden = ORDINARY_OFFERED.indexOf(code) < 0;
    show(errorView);
    startCountdown(10, null);
  }

  function takeTicket(priority) {
    if (busy || !chosenService) return;
    request({ service: chosenService, priority: priority });
  }

  /* The booking's code, or the card's QR text, as the scanner or the keys typed it. */
  function checkIn(text) {
    text = (text || "").trim();
    if (busy || !text) return;
    request({ appointment: text });
  }

  function openCheckIn() {
    byId("checkin-code").value = "";
    show(checkInView);
    byId("checkin-code").focus();
  }

  function request(body) {
    if (!deviceKey) { notReady(texts.noKey); return; }
    busy = true;
    fetch(root.dataset.api + "?lang=" + locale, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Authorization": "Bearer " + deviceKey,
      },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { status: response.status, ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        busy = false;
        var message = result.body.error ? result.body.error.message : texts.networkError;
        if (result.ok) showTicket(result.body);
        else if (result.status === 401) notReady(texts.keyRefused + " (" + message + ")");
        else showError(message, result.body.error && result.body.error.code);
      })
      .catch(function () {
        busy = false;
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
    button.addEventListener("click", function () { ask(button); });
  });
  byId("ask-yes").addEventListener("click", function () { takeTicket(true); });
  byId("ask-no").addEventListener("click", function () { takeTicket(false); });
  byId("ask-back").addEventListener("click", function () { chosenService = null; show(listView); });
  if (servicesView) {
    root.querySelectorAll(".agency-button").forEach(function (button) {
      button.addEventListener("click", function () { openAgency(button); });
    });
    byId("search-open").addEventListener("click", openSearch);
    byId("kiosk-keys").querySelectorAll(".kiosk-key").forEach(function (key) {
      key.addEventListener("click", function () { press(key.dataset.key); });
    });
    byId("search-input").addEventListener("input", search);
    byId("services-back").addEventListener("click", function () {
      listView = startView;
      show(startView);
    });
  }
  byId("result-done").addEventListener("click", startAfresh);
  byId("error-done").addEventListener("click", startAfresh);
  byId("error-ordinary").addEventListener("click", function () {
    window.clearInterval(countdownTimer);
    show(startView);
  });
  byId("booked-button").addEventListener("click", openCheckIn);
  byId("checkin-back").addEventListener("click", startAfresh);
  byId("checkin-form").addEventListener("submit", function (event) {
    event.preventDefault();
    checkIn(byId("checkin-code").value);
  });
  byId("checkin-keys").addEventListener("click", function (event) {
    var key = event.target.closest("[data-key]");
    if (!key) return;
    var field = byId("checkin-code");
    field.value = key.dataset.key === "back" ? field.value.slice(0, -1) : field.value + key.dataset.key;
    // The field keeps the focus, its caret at the end: a scanner may still type into it.
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
  });
  // A scanner is a keyboard: on the start screen, a burst of keys ended by Enter checks in.
  document.addEventListener("keydown", function (event) {
    if (current !== startView || busy) return;
    var now = Date.now();
    if (now - scannedAt > 300) scanned = "";
    scannedAt = now;
    if (event.key === "Enter") {
      if (scanned.length >= 6) checkIn(scanned);
      scanned = "";
    } else if (event.key.length === 1) {
      scanned += event.key;
    }
  });
  ["pointerdown", "keydown"].forEach(function (type) {
    document.addEventListener(type, watchIdle, true);
  });

  window.addEventListener("hashchange", function () {
    if (readKeyFromAddress()) startAfresh();
  });
  readKeyFromAddress();
  if (deviceKey) show(startView);
  else notReady(texts.noKey);

  var clock = byId("kiosk-clock");
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
  window.setInterval(function () { if (!busy && current === startView) refreshWaiting(); }, 15000);
})();
