// The export page's progress bar: asks the job's small JSON state every second until the
// file is ready (then shows the download link) or the job failed. Without scripts the page
// shows the state it was served with and a link to reload it.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-export-status]");
  if (!box) return;
  const bar = box.querySelector("[data-export-bar]");
  const label = box.querySelector("[data-export-label]");
  const count = box.querySelector("[data-export-count]");
  const ready = box.querySelector("[data-export-ready]");
  const link = box.querySelector("[data-export-link]");
  const error = box.querySelector("[data-export-error]");
  const number = (value) => new Intl.NumberFormat("vi-VN").format(value);
  const show = (state) => {
    bar.value = state.percent;
    bar.textContent = `${state.percent}%`;
    label.textContent = state.status_label;
    if (state.total !== null) {
      count.textContent = `${number(state.done)} / ${number(state.total)} ${box.dataset.exportUnit}`;
    }
    if (state.download_url) {
      link.href = state.download_url;
      ready.hidden = false;
    }
    error.hidden = !state.error;
    return state.status === "queued" || state.status === "running";
  };
  const poll = async () => {
    try {
      const answer = await fetch(box.dataset.exportStatus, { headers: { Accept: "application/json" } });
      if (answer.ok && !show(await answer.json())) return;
    } catch (problem) {
      // The network hiccuped: ask again at the next tick.
    }
    window.setTimeout(poll, 1000);
  };
  if (ready.hidden && error.hidden) window.setTimeout(poll, 500);
});
