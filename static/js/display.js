/* Display board: poll the board state (a cheap 304 while nothing changed), show the calls,
 * highlight and announce each new one. */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) return;
  var KEY_STORAGE = "onestop.displayKey";
  var SOUND_STORAGE = "onestop.displaySound";
  var FRESH_MS = 12000; // how long a new call stays highlighted
  var ANNOUNCE_WITHIN_MS = 90000; // calls older than this (after an outage) are not spoken
  var MANY_COUNTERS = 12; // beyond this the call-now panel shrinks to give the tiles room
  var REQUEST_TIMEOUT_MS = 8000;
  var RETRY_MS = 2000; // after a network error
  var UNPAIRED_RETRY_MS = 15000; // after the server refused the key
  var pollMs = parseInt(root.dataset.pollMs, 10) || 500;
  var locale = root.dataset.locale === "en" ? "en" : "vi";
  var params = new URLSearchParams(window.location.search);

  function byId(id) { return document.getElementById(id); }

  function replaceChildren(parent, children) {
    while (parent.firstChild) parent.removeChild(parent.firstChild);
    children.forEach(function (child) { parent.appendChild(child); });
  }

  // The device key arrives once in the address fragment (#key=…), which browsers never
  // send to the server, and is kept in this browser only.
  var match = /(?:^|[#&])key=([^&]+)/.exec(window.location.hash);
  if (match) {
    window.localStorage.setItem(KEY_STORAGE, decodeURIComponent(match[1]));
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  var deviceKey = window.localStorage.getItem(KEY_STORAGE);

  var etag = null;
  var lastCallId = null; // null until the first state: calls made before are not announced
  var serverOffset = 0; // server clock minus this device's clock, in milliseconds
  var freshUntil = {};
  var debug = { shown: {}, polls: 0, notModified: 0 };

  /* ---- sound ---- */
  var soundToggle = byId("sound-toggle");
  var unlockOverlay = byId("sound-unlock");
  var voice = new window.BoardVoice({
    base: root.dataset.voiceBase,
    clips: root.dataset.voiceClips.split(","),
    mode: params.get("voice"),
    enabled: window.localStorage.getItem(SOUND_STORAGE) !== "off",
    onChange: showSound,
  });
  debug.voice = voice;

  function showSound() {
    soundToggle.setAttribute("aria-pressed", voice.enabled ? "true" : "false");
    unlockOverlay.hidden = !deviceKey || !voice.enabled || voice.isUnlocked();
    root.dataset.voiceQueued = voice.queue.length + (voice.current ? 1 : 0);
  }

  function setSound(enabled) {
    window.localStorage.setItem(SOUND_STORAGE, enabled ? "on" : "off");
    voice.setEnabled(enabled);
    if (enabled) voice.unlock();
  }

  soundToggle.addEventListener("click", function () { setSound(!voice.enabled); });
  byId("sound-unlock-button").addEventListener("click", function () { voice.unlock(); });
  byId("sound-unlock-quiet").addEventListener("click", function () { setSound(false); });
  showSound();
  if (voice.context && voice.context.addEventListener) {
    voice.context.addEventListener("statechange", showSound);
  }

  /* ---- clock (the server's time, in the centre's time zone) ---- */
  var timeFormat, dateFormat;
  try {
    timeFormat = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : "vi-VN",
      { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: root.dataset.timezone });
    dateFormat = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : "vi-VN",
      { weekday: "long", day: "2-digit", month: "2-digit", year: "numeric",
        timeZone: root.dataset.timezone });
  } catch (error) {
    timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
    dateFormat = new Intl.DateTimeFormat(undefined);
  }

  function tick() {
    var now = new Date(Date.now() + serverOffset);
    byId("board-time").textContent = timeFormat.format(now);
    var date = dateFormat.format(now);
    byId("board-date").textContent = date.charAt(0).toUpperCase() + date.slice(1);
  }

  /* ---- rendering ---- */
  function fill(templateId, values) {
    var element = byId(templateId).content.firstElementChild.cloneNode(true);
    Object.keys(values).forEach(function (name) {
      var field = element.querySelector('[data-field="' + name + '"]');
      if (field) field.textContent = values[name];
    });
    return element;
  }

  function isFresh(call) {
    return call && freshUntil[call.id] && freshUntil[call.id] > Date.now();
  }

  function renderNow(call) {
    var now = byId("board-now");
    byId("now-number").textContent = call ? call.number : "—";
    byId("now-counter").textContent = call ? call.counter : "—";
    fitText(byId("now-service"), call ? call.service_name : "", 2, 0.75);
    byId("now-idle").hidden = Boolean(call);
    now.classList.toggle("is-idle", !call);
    now.classList.toggle("is-fresh", Boolean(isFresh(call)));
    now.dataset.callId = call ? call.id : "";
    byId("now-number").dataset.length = call ? call.number.length : 1;
  }

  /* Counter tiles: as large as the number of counters allows. A tile holds about five
   * characters of its font across ("Quầy 3 A012"; "Counter" is wider) and 1.4 lines down. */
  function layoutCounters(grid, count) {
    var gap = parseFloat(window.getComputedStyle(grid).columnGap) || 0;
    var width = grid.clientWidth || 1;
    var height = grid.clientHeight || 1;
    var best = { columns: 1, size: 0 };
    for (var columns = 1; columns <= Math.max(count, 1); columns += 1) {
      var rows = Math.ceil(count / columns);
      var tileWidth = (width - gap * (columns - 1)) / columns;
      var tileHeight = (height - gap * (rows - 1)) / rows;
      var size = Math.min(tileWidth / (locale === "en" ? 5.6 : 5), tileHeight / 1.4);
      if (size > best.size) best = { columns: columns, size: size };
    }
    grid.style.setProperty("--columns", best.columns);
    grid.style.setProperty("--tile-font", Math.floor(Math.min(best.size, 140)) + "px");
  }

  function renderCounters(counters) {
    var grid = byId("counter-grid");
    var tiles = counters.map(function (counter) {
      var tile = fill("counter-tile", {
        counter: counter.number,
        number: counter.call ? counter.call.number : "—",
      });
      tile.dataset.counter = counter.number;
      tile.classList.toggle("is-fresh", Boolean(isFresh(counter.call)));
      tile.classList.toggle("is-empty", !counter.call);
      return tile;
    });
    replaceChildren(grid, tiles);
    root.classList.toggle("has-many-counters", tiles.length > MANY_COUNTERS);
    layoutCounters(grid, tiles.length);
  }

  function renderRecent(calls) {
    var list = byId("recent-list");
    var rows = calls.slice(1, 7).map(function (call) {
      var row = fill("recent-row", {
        number: call.number,
        counter: call.counter,
        time: call.called_at.slice(11, 16),
      });
      row.dataset.callId = call.id;
      row.querySelector('[data-field="recall"]').hidden = call.kind !== "recall";
      row.classList.toggle("is-fresh", Boolean(isFresh(call)));
      return row;
    });
    replaceChildren(list, rows);
    // As many rows as fit: the queues below take what they need.
    var bottom = list.parentNode.getBoundingClientRect().bottom;
    rows.forEach(function (row) {
      if (row.getBoundingClientRect().bottom > bottom - 8) list.removeChild(row);
    });
    byId("recent-empty").hidden = rows.length > 0;
  }

  /* Long service names: lines break between words only; a name shrinks (down to `minScale`
   * of its size) to fit `maxLines`, and one that still does not fit ends after its last whole
   * word that does, with "…". Sizes are remembered per name and width: most renders only
   * change the numbers. */
  var fitted = {};

  function overflows(element, maxLines) {
    var lineHeight = parseFloat(window.getComputedStyle(element).lineHeight);
    return element.scrollHeight > lineHeight * maxLines + 1 ||
      element.scrollWidth > element.clientWidth + 1;
  }

  function fitText(element, text, maxLines, minScale) {
    element.style.fontSize = "";
    element.textContent = text;
    element.dataset.fullText = text;
    var cacheKey = [text, maxLines, minScale, element.className, element.clientWidth].join("|");
    var known = fitted[cacheKey];
    if (known) {
      if (known.size) element.style.fontSize = known.size;
      element.textContent = known.text;
      return;
    }
    var base = parseFloat(window.getComputedStyle(element).fontSize);
    var size = base;
    while (text && overflows(element, maxLines) && size > base * minScale) {
      size = Math.max(base * minScale, size * 0.94);
      element.style.fontSize = size + "px";
    }
    var words = text.split(/\s+/);
    while (words.length > 1 && overflows(element, maxLines)) {
      words.pop();
      element.textContent = words.join(" ").replace(/[,;:.\-–]+$/, "") + "…";
    }
    fitted[cacheKey] = { size: element.style.fontSize, text: element.textContent };
  }

  /* The strip of queues: prefix, name and count side by side while every name fits there at
   * full size in two lines; otherwise each name goes under its prefix and count, across the
   * whole tile. */
  function renderQueues(services) {
    var list = byId("queue-list");
    replaceChildren(list, services.map(function (service) {
      var row = fill("queue-row", { prefix: service.prefix, waiting: service.waiting });
      row.dataset.service = service.code;
      return row;
    }));
    var names = list.querySelectorAll('[data-field="name"]');
    function fitAll(minScale) {
      var fits = true;
      services.forEach(function (service, index) {
        fitText(names[index], service.name, 2, minScale);
        fits = fits && names[index].textContent === service.name;
      });
      return fits;
    }
    list.classList.remove("queue-list--stacked");
    if (!fitAll(1)) {
      list.classList.add("queue-list--stacked");
      fitAll(0.78);
    }
  }

  var state = null;
  function render() {
    if (!state) return;
    renderNow(state.calls[0]);
    renderQueues(state.services); // its height first: the counter tiles take what is left
    renderCounters(state.counters);
    renderRecent(state.calls);
  }

  function receive(next) {
    var received = Date.now();
    serverOffset = Date.parse(next.now) - received;
    var newest = next.calls.reduce(function (top, call) { return Math.max(top, call.id); }, 0);
    var arrived = lastCallId === null ? [] : next.calls.filter(function (call) {
      return call.id > lastCallId;
    }).sort(function (a, b) { return a.id - b.id; });
    lastCallId = Math.max(lastCallId || 0, newest);
    arrived.forEach(function (call) { freshUntil[call.id] = received + FRESH_MS; });
    state = next;
    render();
    var drawn = Date.now();
    next.calls.forEach(function (call) {
      if (!debug.shown[call.id]) debug.shown[call.id] = drawn;
    });
    arrived.forEach(function (call) {
      if (Date.parse(call.called_at) > received + serverOffset - ANNOUNCE_WITHIN_MS) {
        voice.announce(call);
      }
    });
    if (arrived.length) window.setTimeout(render, FRESH_MS + 50);
  }

  /* ---- polling ---- */
  function showAlert(name) {
    byId("board-offline").hidden = name !== "offline";
    byId("board-unpaired").hidden = name !== "unpaired";
    byId("board-note").hidden = Boolean(name);
  }

  function poll() {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = window.setTimeout(function () { if (controller) controller.abort(); },
      REQUEST_TIMEOUT_MS);
    var headers = { Authorization: "Bearer " + deviceKey };
    if (etag) headers["If-None-Match"] = etag;
    var delay = pollMs;
    debug.polls += 1;
    fetch(root.dataset.api + "?lang=" + locale, {
      headers: headers,
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (response.status === 304) {
          debug.notModified += 1;
          showAlert(null);
          return null;
        }
        if (response.status === 401) {
          showAlert("unpaired");
          delay = UNPAIRED_RETRY_MS;
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        etag = response.headers.get("ETag");
        return response.json().then(function (body) {
          showAlert(null);
          receive(body);
        });
      })
      .catch(function () {
        showAlert("offline");
        delay = RETRY_MS;
      })
      .then(function () {
        window.clearTimeout(timer);
        window.setTimeout(poll, delay);
      });
  }

  window.onestopBoard = debug;
  tick();
  window.setInterval(tick, 1000);
  window.addEventListener("resize", render);
  // Names were fitted with whatever font was there; fit them again in the board's own.
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(function () { fitted = {}; render(); });
  }
  if (deviceKey) {
    poll();
  } else {
    showAlert("unpaired");
  }
})();
