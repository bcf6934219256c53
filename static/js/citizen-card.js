// The citizen ID card's QR code on the reception form. A USB 2D scanner acts as a keyboard:
// it types the QR text (12-digit number|old ID|name|ddmmyyyy|sex|address|ddmmyyyy) into
// whichever field has the focus and presses Enter. Whatever field that is, the text is taken
// out of it, read by the server (the one parser, core.dossiers.citizen_card) and the
// applicant's fields are filled in one go. On tablets and phones the camera reads the code:
// the browser's BarcodeDetector where it exists, else the vendored jsQR.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-card-scan]");
  if (!box) return;
  const form = box.closest("form");
  const status = box.querySelector("[data-card-status]");
  const cardText = /\d{12}\|[^|]*\|[^|]*\|[^|]*\|[^|]*\|[^|]*\|\d{8}/;
  const startOfCard = /^\s*\d{12}\|/;

  const say = (message, problem) => {
    status.textContent = message;
    status.classList.toggle("card-scan__status--error", Boolean(problem));
  };

  const set = (name, value) => {
    const field = form.elements.namedItem(name);
    if (!field) return;
    if (field instanceof RadioNodeList) {
      for (const option of field) option.checked = option.value === value;
      field[0] && field[0].dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    field.value = value;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  };

  const read = async (text) => {
    say(box.dataset.reading);
    const body = new FormData();
    body.append("text", text);
    body.append("csrf_token", form.elements.namedItem("csrf_token").value);
    try {
      const response = await fetch(box.dataset.url, { method: "POST", body });
      const answer = await response.json();
      if (!response.ok) { say(answer.error, true); return; }
      set("applicant_kind", "person");
      set("applicant_id_kind", "citizen_id");
      set("applicant_id_number", answer.id_number);
      set("applicant_name", answer.name);
      set("applicant_birth_date", answer.birth_date);
      set("applicant_address", answer.address);
      say(answer.message);
      box.dataset.filled = "yes";
    } catch (error) {
      say(box.dataset.failed, true);
    }
  };

  // The scanner types fast. A burst that starts with 12 digits and "|" is a card: from the
  // "|" on, its characters are kept out of the field (which may be too short to hold them:
  // maxlength), the field gets back what it held before the burst, and Enter (or a pause,
  // for scanners set up without it) reads the card.
  const BURST_GAP = 150; // milliseconds between a scanner's characters, at most
  let burst = "";
  let lastKey = 0;
  let field = null;
  let kept = "";
  let capturing = false;
  let pause = null;

  const finish = () => {
    window.clearTimeout(pause);
    const text = burst;
    capturing = false;
    burst = "";
    read(text);
  };

  form.addEventListener("beforeinput", (event) => {
    if (!event.data || !("value" in event.target)) return;
    const now = Date.now();
    if (!capturing && (now - lastKey > BURST_GAP || event.target !== field)) {
      burst = "";
      field = event.target;
      kept = field.value;
    }
    lastKey = now;
    burst += event.data;
    if (capturing) {
      event.preventDefault();
    } else if (startOfCard.test(burst)) {
      capturing = true;
      event.preventDefault();
      field.value = kept;
    } else if (!/^\d{0,12}$/.test(burst)) {
      burst = "";
      return;
    }
    if (capturing) {
      window.clearTimeout(pause);
      pause = window.setTimeout(finish, 400);
    }
  }, true);

  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    if (capturing) {
      event.preventDefault(); // the scanner's Enter must not submit the form
      finish();
    } else if (event.target.matches("[data-card-input]")) {
      event.preventDefault();
      if (cardText.test(event.target.value)) {
        read(event.target.value.trim());
        event.target.value = "";
      }
    }
  });

  // ---- the camera ----
  const cameraButton = box.querySelector("[data-card-camera]");
  const video = box.querySelector("[data-card-video]");
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  cameraButton.hidden = false;
  let stream = null;

  const stop = () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
  };

  const decoder = async () => {
    if ("BarcodeDetector" in window) {
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return async () => {
        const codes = await detector.detect(video);
        return codes.length ? codes[0].rawValue : null;
      };
    }
    if (!window.jsQR) {
      await new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = box.dataset.decoder;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async () => {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      if (!canvas.width) return null;
      context.drawImage(video, 0, 0);
      const frame = context.getImageData(0, 0, canvas.width, canvas.height);
      const code = window.jsQR(frame.data, frame.width, frame.height);
      return code ? code.data : null;
    };
  };

  cameraButton.addEventListener("click", async () => {
    if (stream) { stop(); return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      say(box.dataset.noCamera, true);
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const detect = await decoder();
    const look = async () => {
      if (!stream) return;
      const text = await detect().catch(() => null);
      if (text && startOfCard.test(text)) {
        stop();
        read(text);
        return;
      }
      window.setTimeout(look, 200);
    };
    look();
  });
});
