/* Kiosk student-card mode (section [data-mode=cards]).
 *
 * The camera runs while the mode is shown; qr-scanner 1.4.2 (static/vendor, a classic script
 * loaded before this module; decodes in a Web Worker) reads the whole frame, downscaled to at
 * most 640 px wide, up to 8 times a second. A code read is posted to data-scan-url; the same
 * code is not sent again for 4 seconds (a card held still is read many times). The answer is
 * shown in large type (green: recorded; blue: already recorded; red: refused) with a short
 * beep, added to the list of the latest cards, and the counts (recorded here since the page
 * opened, students present today) are updated.
 */
import {cameraProblem, CameraError} from "./camera.js";
import {beep, cameraText, showResult, texts} from "./ui.js";

const REPEAT_MS = 4000;

export function setup(ctx, section) {
  const {root, api} = ctx;
  const video = section.querySelector("#kiosk-video");
  const result = section.querySelector("#kiosk-result");
  const recent = section.querySelector("#kiosk-recent");
  const countHere = section.querySelector("#kiosk-count-here");
  const countToday = section.querySelector("#kiosk-count-today");
  const cameraError = section.querySelector("#kiosk-camera-error");
  let recordedHere = 0, lastCode = null, lastAt = 0, busy = false;

  function remember(state, heading) {
    const item = document.createElement("li");
    item.dataset.state = state;
    item.textContent = heading;
    recent.insertBefore(item, recent.firstChild);
    while (recent.children.length > 8) recent.removeChild(recent.lastChild);
  }

  function shown(data) {
    if (typeof data.present_today === "number") countToday.textContent = String(data.present_today);
    const detail = data.student ? data.student["class"] : "";
    if (data.result === "recorded") {
      recordedHere += 1;
      countHere.textContent = String(recordedHere);
      showResult(result, "ok", data.message, detail);
      remember("ok", data.message);
      beep(true);
    } else if (data.result === "already") {
      showResult(result, "info", data.message, detail);
      beep(true);
    } else {
      showResult(result, "error", data.message || texts.error, "");
      remember("error", data.message || texts.error);
      beep(false);
    }
  }

  function send(code) {
    busy = true;
    api.postJson(root.dataset.scanUrl, {code}).then((answer) => { if (answer) shown(answer.data); }).catch(() => {
      showResult(result, "error", texts.offlineNotRecorded, "");
      beep(false);
      lastCode = null;                        // let the same card be tried again at once
    }).then(() => { busy = false; });
  }

  function onDecode(decoded) {
    const code = ((decoded && decoded.data) || "").trim();
    if (!code || busy) return;
    const now = Date.now();
    if (code === lastCode && now - lastAt < REPEAT_MS) return;
    lastCode = code; lastAt = now;
    send(code);
  }

  const scanner = window.QrScanner ? new window.QrScanner(video, onDecode, {
    returnDetailedScanResult: true,
    preferredCamera: "user",
    maxScansPerSecond: 8,
    highlightScanRegion: false,
    calculateScanRegion: (v) => {
      const scale = Math.min(1, 640 / (v.videoWidth || 640));
      return {x: 0, y: 0, width: v.videoWidth, height: v.videoHeight,
              downScaledWidth: Math.round(v.videoWidth * scale), downScaledHeight: Math.round(v.videoHeight * scale)};
    },
  }) : null;

  function cameraFailed(error) {
    cameraError.textContent = cameraText(error);
    cameraError.hidden = false;
  }

  return {
    start() {
      const problem = cameraProblem();
      if (problem || !scanner) { cameraFailed(new CameraError(problem || "unsupported")); return; }
      scanner.start().then(() => { cameraError.hidden = true; }, () => cameraFailed(new CameraError("denied")));
    },
    stop() { if (scanner) scanner.stop(); },
  };
}
