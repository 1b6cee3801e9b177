/* Kiosk face mode (section [data-mode=face]).
 *
 * While the mode is shown the camera runs; about once a second the current frame, downscaled
 * to at most 640 px wide, is sent as a JPEG (quality 0.85) to data-face-url. The server answers
 * who it was and what it recorded; the answer is shown in large type: green for a check-in or
 * check-out, blue for "already", red for an unknown face or "one person at a time", quiet for
 * "no face". After a recorded or "already" answer the kiosk pauses 4 s, so the person can read
 * it and step aside. Frames are never stored on this side. This mode needs the server: while
 * offline it says "not recorded" and tries again.
 *
 * On a kiosk with liveness on, the server answers a recognised face with a challenge; it is
 * handed to liveness.js (runChallenge), which shows the steps, films and sends the burst; the
 * server's verdict is shown like any other answer ("liveness_failed": "Ikuti petunjuk di layar").
 */
import {frameBlob, openCamera, stopCamera} from "./camera.js";
import {beep, cameraText, showResult, texts} from "./ui.js";

const INTERVAL_MS = 1000, PAUSE_MS = 4000, RETRY_MS = 2500;
const STATES = {checked_in: "ok", checked_out: "ok", already_in: "info", already_out: "info",
                no_face: "idle", several_faces: "error", unknown: "error", liveness_failed: "error"};

export function setup(ctx, section) {
  const {root, api} = ctx;
  const video = section.querySelector("#kiosk-face-video");
  const result = section.querySelector("#kiosk-face-result");
  const cameraError = section.querySelector("#kiosk-face-camera-error");
  const overlay = section.querySelector("#kiosk-liveness");
  const canvas = document.createElement("canvas");
  let stream = null, timer = null, busy = false, active = false;

  function next(ms) {
    clearTimeout(timer);
    if (active) timer = setTimeout(capture, ms);
  }

  function challenge(answer) {
    // liveness was turned on after this page loaded: reload to get its overlay
    if (!overlay) { window.location.reload(); return null; }
    showResult(result, "idle", answer.data.message, "");
    return import("./liveness.js").then((liveness) => liveness.runChallenge(api, {
      video, challenge: answer.data.challenge, url: root.dataset.burstUrl, overlay}));
  }

  function answered(answer) {
    if (!answer || !active) return;
    const data = answer.data, state = STATES[data.result] || "error";
    if (state === "idle") {
      if (result.dataset.state === "idle") showResult(result, "idle", data.message, "");
      next(INTERVAL_MS);
      return;
    }
    showResult(result, state, data.message, "");
    if (state !== "error" || data.result === "unknown" || data.result === "liveness_failed") beep(state !== "error");
    // after a failed challenge, a moment to read the message before the next one starts
    next(state === "ok" || state === "info" ? PAUSE_MS : (data.result === "liveness_failed" ? RETRY_MS : INTERVAL_MS));
  }

  function capture() {
    if (!active || busy || !video.videoWidth) { next(INTERVAL_MS); return; }
    busy = true;
    frameBlob(video, canvas).then((blob) => {
      if (!blob) { next(INTERVAL_MS); return null; }
      return api.post(root.dataset.faceUrl, blob, "image/jpeg")
        .then((answer) => (answer && answer.data.result === "challenge" ? challenge(answer) : answer))
        .then(answered, () => {
          showResult(result, "error", texts.offlineNotRecorded, "");
          next(3000);
        });
    }).then(() => { busy = false; });
  }

  return {
    start() {
      active = true;
      if (stream) { next(0); return; }
      openCamera(video).then((s) => {
        stream = s;
        if (!active) { stopCamera(stream, video); stream = null; return; }
        cameraError.hidden = true;
        next(500);
      }, (error) => { cameraError.textContent = cameraText(error); cameraError.hidden = false; });
    },
    stop() {
      active = false;
      clearTimeout(timer);
      stopCamera(stream, video);
      stream = null;
    },
  };
}
