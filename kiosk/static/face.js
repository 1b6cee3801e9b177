/* Hadir kiosk, face mode (templates/kiosk/home.html, section [data-mode=face]).
 *
 * While the mode is shown the camera runs; about once a second the current frame,
 * downscaled to at most 640 px wide, is sent as a JPEG (quality 0.85) to data-face-url.
 * The server answers who it was and what it recorded; the answer is shown in large type:
 * green for a check-in or check-out, blue for "already", red for an unknown face or
 * "one person at a time", quiet for "no face". After a recorded or "already" answer the
 * kiosk pauses 4 s, so the person can read it and step aside. Frames are never stored
 * on this side; the server keeps only the frame of a recorded event.
 *
 * On a kiosk with liveness on, the server answers a recognised face with a challenge
 * ({"result": "challenge", "challenge": {...}}) instead of checking anyone in: the
 * challenge is handed to liveness.js (HadirLiveness.run), which shows its steps, films
 * and sends the burst; the server's verdict on it is shown like any other answer
 * ("liveness_failed": "Ikuti petunjuk di layar").
 */
(function () {
  "use strict";
  var section = document.getElementById("kiosk-face-mode");
  if (!section || !window.HadirKiosk) return;
  var kiosk = window.HadirKiosk;
  var root = kiosk.root;
  var texts = document.getElementById("kiosk-texts").dataset;
  var video = document.getElementById("kiosk-face-video");
  var result = document.getElementById("kiosk-face-result");
  var cameraError = document.getElementById("kiosk-face-camera-error");
  var canvas = document.createElement("canvas");
  var stream = null, timer = null, busy = false, active = false;
  var INTERVAL_MS = 1000, PAUSE_MS = 4000, RETRY_MS = 2500, MAX_WIDTH = 640;
  var overlay = document.getElementById("kiosk-liveness");
  var STATES = {checked_in: "ok", checked_out: "ok", already_in: "info", already_out: "info",
                no_face: "idle", several_faces: "error", unknown: "error", liveness_failed: "error"};

  function next(ms) {
    clearTimeout(timer);
    if (active) timer = setTimeout(capture, ms);
  }

  function capture() {
    if (!active || busy || !video.videoWidth) { next(INTERVAL_MS); return; }
    var scale = Math.min(1, MAX_WIDTH / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    busy = true;
    canvas.toBlob(function (blob) {
      if (!blob) { busy = false; next(INTERVAL_MS); return; }
      kiosk.post(root.dataset.faceUrl, blob, "image/jpeg").then(function (answer) {
        if (answer && answer.data.result === "challenge") {
          // liveness was turned on after this page loaded: reload to get its script and overlay
          if (!overlay || !window.HadirLiveness) { window.location.reload(); return null; }
          kiosk.showResult(result, "idle", answer.data.message, "");
          return window.HadirLiveness.run({video: video, challenge: answer.data.challenge,
                                           url: root.dataset.burstUrl, overlay: overlay});
        }
        return answer;
      }).then(function (answer) {
        if (!answer) return;
        if (!active) return;
        var data = answer.data, state = STATES[data.result] || "error";
        if (state === "idle") {
          if (result.dataset.state === "idle") kiosk.showResult(result, "idle", data.message, "");
          next(INTERVAL_MS);
          return;
        }
        kiosk.showResult(result, state, data.message, "");
        if (state !== "error" || data.result === "unknown" || data.result === "liveness_failed") {
          kiosk.beep(state !== "error");
        }
        // after a failed challenge, a moment to read the message before the next one starts
        next(state === "ok" || state === "info" ? PAUSE_MS : (data.result === "liveness_failed" ? RETRY_MS : INTERVAL_MS));
      }).catch(function () {
        kiosk.showResult(result, "error", texts.offlineNotRecorded, "");
        next(3000);
      }).then(function () { busy = false; });
    }, "image/jpeg", 0.85);
  }

  function start() {
    active = true;
    if (stream) { next(0); return; }
    navigator.mediaDevices.getUserMedia({video: {facingMode: "user", width: {ideal: 1280}}, audio: false})
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        return video.play();
      })
      .then(function () { cameraError.hidden = true; next(500); })
      .catch(function () { cameraError.hidden = false; });
  }

  function stop() {
    active = false;
    clearTimeout(timer);
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
  }

  document.addEventListener("kiosk:mode", function (event) {
    if (event.detail.mode === "face") start(); else stop();
  });
})();
