/* Printer alerts for staff: fetch the panel again every 15 s and swap it in place. */
(function () {
  "use strict";
  var panel = document.getElementById("printer-alerts");
  if (!panel || !window.fetch) return;
  var url = panel.dataset.url + "?next=" +
    encodeURIComponent(window.location.pathname + window.location.search);

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#printer-alerts");
        if (fresh) {
          panel.replaceWith(fresh);
          panel = fresh;
        }
      })
      .catch(function () { /* keep what is shown */ });
  }

  window.setInterval(refresh, 15000);
})();
