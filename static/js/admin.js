/* Admin screens: opening-hours presets, copy buttons, confirmations, device form, list filters. */
(function () {
  "use strict";

  // Opening hours: a preset fills the seven rows (two periods a day, opening and closing);
  // a row left blank is marked closed.
  var hoursRows = document.querySelectorAll("[data-hours-row]");
  function markClosed(row) {
    var blank = Array.prototype.every.call(row.querySelectorAll("input"), function (input) {
      return input.value.trim() === "";
    });
    row.classList.toggle("is-closed", blank);
  }
  hoursRows.forEach(function (row) {
    row.addEventListener("input", function () { markClosed(row); });
  });
  document.querySelectorAll("[data-hours-preset]").forEach(function (button) {
    button.addEventListener("click", function () {
      var week = JSON.parse(button.dataset.hoursPreset);
      hoursRows.forEach(function (row, day) {
        var inputs = row.querySelectorAll("input");
        week[day].forEach(function (period, index) {
          inputs[index * 2].value = period[0];
          inputs[index * 2 + 1].value = period[1];
        });
        row.classList.remove("has-error");
        markClosed(row);
      });
    });
  });

  // Copy a read-only text box; the clipboard API needs HTTPS, so fall back to execCommand.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copy);
      var label = button.textContent;
      function done() {
        button.textContent = button.dataset.copied;
        window.setTimeout(function () { button.textContent = label; }, 2000);
      }
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          document.execCommand("copy");
          done();
        });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });

  // Buttons that ask first (locking an account).
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });

  // New device: the counter choice only matters for a counter device.
  var kind = document.querySelector("[data-device-kind]");
  var counterOnly = document.querySelector("[data-counter-only]");
  var displayOnly = document.querySelector("[data-display-only]");
  if (kind && counterOnly) {
    var sync = function () {
      counterOnly.hidden = kind.value !== "counter" && kind.value !== "rating";
      if (counterOnly.hidden) counterOnly.querySelector("select").value = "";
      // A board's part of the hall: for display boards only.
      if (displayOnly) {
        displayOnly.hidden = kind.value !== "display";
        if (displayOnly.hidden) {
          displayOnly.querySelectorAll("select").forEach(function (select) { select.value = ""; });
        }
      }
    };
    kind.addEventListener("change", sync);
    sync();
  }

  // A list filtered as one types (an agency's procedures): every word, accents ignored,
  // against each item's data-search (folded the same way by core.vntext.search_key).
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  document.querySelectorAll("[data-filter-list]").forEach(function (input) {
    var items = document.querySelectorAll("#" + input.dataset.filterList + " > li");
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/[\s,;]+/).filter(Boolean);
      items.forEach(function (item) {
        var text = item.dataset.search || "";
        item.hidden = !words.every(function (word) { return text.indexOf(word) !== -1; });
      });
    });
  });
})();
