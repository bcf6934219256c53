/* Tracking page: refresh the ticket's status and place in the queue by itself. */
(function () {
  "use strict";
  var card = document.getElementById("tracking");
  if (!card) return;
  var seconds = parseInt(card.dataset.refresh, 10) || 10;
  var statusText = card.querySelector('[data-field="status"]');
  var lang = document.documentElement.lang;

  function field(name) {
    return card.querySelector('[data-field="' + name + '"]');
  }

  function update(ticket) {
    if (ticket.status === "done" && card.dataset.status !== "done") {
      window.location.reload(); // served: the page now offers the rating
      return;
    }
    field("ahead").textContent = ticket.waiting_ahead;
    field("wait").textContent = ticket.estimated_wait_minutes;
    statusText.textContent = statusText.getAttribute("data-text-" + ticket.status) ||
      statusText.textContent;
    field("status-box").className = "track-card__status status--" + ticket.status;
    field("waiting-facts").hidden = ticket.status !== "waiting";
    field("counter-line").hidden = !ticket.counter;
    field("counter").textContent = ticket.counter || "";
    var now = new Date();
    field("updated").textContent = (lang === "en" ? "Updated " : "Cập nhật lúc ") +
      now.toLocaleTimeString(lang === "en" ? "en-GB" : "vi-VN");
  }

  function poll() {
    fetch(card.dataset.url + "?lang=" + lang, { cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (ticket) { if (ticket) update(ticket); })
      .catch(function () { /* try again next time */ })
      .finally(function () { window.setTimeout(poll, seconds * 1000); });
  }
  window.setTimeout(poll, seconds * 1000);
})();
