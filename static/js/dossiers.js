// Dossier desk pages: the print button and focus for the scanner field.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  const scan = document.querySelector("[data-scan-focus]");
  if (scan) scan.focus();
});
