// The managers' live view: polls the cheap JSON state and refreshes the figures in place.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root) { return; }
  var url = root.getAttribute("data-state-url");
  var refresh = Math.max(2, parseInt(root.getAttribute("data-refresh"), 10) || 10) * 1000;
  var closedWord = root.querySelector("template[data-template=closed]").innerHTML;
  var english = document.documentElement.lang === "en";

  function field(name) { return root.querySelector('[data-field="' + name + '"]'); }

  // The browser's number format for the page's language: the same separators as the
  // server's `figure` filter (core.i18n.format_figure, Babel), both from CLDR.
  function figure(value, decimals) {
    if (value === null || value === undefined) { return "–"; }
    return Number(value).toLocaleString(english ? "en-US" : "vi-VN", {
      minimumFractionDigits: decimals || 0, maximumFractionDigits: decimals || 0
    });
  }

  function cell(row, text, numeric) {
    var td = document.createElement("td");
    if (numeric) { td.className = "num"; }
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function render(state) {
    var waiting = 0, longest = null;
    var services = field("services");
    services.textContent = "";
    state.services.forEach(function (service) {
      waiting += service.waiting;
      if (service.longest_wait_minutes !== null && (longest === null || service.longest_wait_minutes > longest)) {
        longest = service.longest_wait_minutes;
      }
      var row = document.createElement("tr");
      var name = cell(row, " " + service.name);
      var prefix = document.createElement("span");
      prefix.className = "prefix";
      prefix.textContent = service.prefix;
      name.insertBefore(prefix, name.firstChild);
      cell(row, figure(service.waiting), true);
      cell(row, figure(service.longest_wait_minutes, 1), true);
      services.appendChild(row);
    });
    var counters = field("counters");
    counters.textContent = "";
    state.counters.forEach(function (counter) {
      var row = document.createElement("tr");
      if (!counter.open) { row.className = "is-closed"; }
      cell(row, counter.name);
      cell(row, counter.officer || closedWord);
      cell(row, counter.ticket || "–");
      cell(row, figure(counter.served_today), true);
      counters.appendChild(row);
    });
    field("waiting-total").textContent = figure(waiting);
    field("longest-wait").textContent = figure(longest, 1);
    field("served").textContent = figure(state.today.served);
    field("average-wait").textContent = figure(state.today.average_wait_minutes, 1);
    field("average-service").textContent = figure(state.today.average_service_minutes, 1);
    field("due-today").textContent = figure(state.dossiers.due_today);
    field("overdue").textContent = figure(state.dossiers.overdue);
    field("generated-at").textContent = state.generated_at.slice(11, 16);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (state) { render(state); field("error").hidden = true; })
      .catch(function () { field("error").hidden = false; })
      .then(function () { window.setTimeout(poll, refresh); });
  }
  window.setTimeout(poll, refresh);
})();
