// Dossier desk pages: the print button, focus for the scanner field, and on the reception
// form the submitter's fields and the "other document" fields shown only when they apply
// (without scripts every field stays visible).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  const scan = document.querySelector("[data-scan-focus]");
  if (scan) scan.focus();

  const proxyFields = document.querySelector("[data-proxy-fields]");
  const proxyChoices = document.querySelectorAll("[data-proxy-choice]");
  const showProxy = () => {
    const chosen = [...proxyChoices].find((input) => input.checked);
    proxyFields.hidden = !chosen || chosen.value !== "yes";
  };
  if (proxyFields) {
    proxyChoices.forEach((input) => input.addEventListener("change", showProxy));
    showProxy();
  }

  for (const select of document.querySelectorAll("[data-id-kind]")) {
    const note = document.querySelector(`[data-id-note="${select.dataset.idKind}"]`);
    const label = note && note.closest("label");
    const showNote = () => { label.hidden = select.value !== "other"; };
    if (label) {
      select.addEventListener("change", showNote);
      showNote();
    }
  }
});
