/* Hadir kiosk, student-card mode (templates/kiosk/home.html, section [data-mode=cards]).
 *
 * The camera runs while the mode is shown; qr-scanner 1.4.2 (static/vendor, decodes in a
 * Web Worker) reads the whole frame, downscaled to at most 640 px wide, up to 8 times a
 * second. A code read is posted to data-scan-url as JSON (with the CSRF token); the same
 * code is not sent again for 4 seconds (a card held still is read many times).
 * The answer is shown in large type (green: recorded; blue: already recorded; red:
 * refused) with a short beep, added to the list of the latest cards, and the counts
 * (recorded here since the page opened, students present today) are updated.
 * Nothing is queued while offline: the screen says the card was not recorded.
 */
(function () {
  "use strict";
  var section = document.getElementById("kiosk-cards-mode");
  if (!section || !window.QrScanner || !window.HadirKiosk) return;
  var root = document.querySelector("[data-kiosk]");
  var texts = document.getElementById("kiosk-texts").dataset;
  var video = document.getElementById("kiosk-video");
  var result = document.getElementById("kiosk-result");
  var recent = document.getElementById("kiosk-recent");
  var countHere = document.getElementById("kiosk-count-here");
  var countToday = document.getElementById("kiosk-count-today");
  var cameraError = document.getElementById("kiosk-camera-error");
  var recordedHere = 0, lastCode = null, lastAt = 0, busy = false;
  var REPEAT_MS = 4000;

  var kiosk = window.HadirKiosk;

  function show(state, heading, text) { kiosk.showResult(result, state, heading, text); }

  function remember(state, heading) {
    var item = document.createElement("li");
    item.dataset.state = state;
    item.textContent = heading;
    recent.insertBefore(item, recent.firstChild);
    while (recent.children.length > 8) recent.removeChild(recent.lastChild);
  }

  function send(code) {
    busy = true;
    kiosk.post(root.dataset.scanUrl, JSON.stringify({code: code}), "application/json").then(function (answer) {
      if (!answer) return;
      var data = answer.data;
      if (typeof data.present_today === "number") countToday.textContent = String(data.present_today);
      if (data.result === "recorded") {
        recordedHere += 1;
        countHere.textContent = String(recordedHere);
        show("ok", data.message, data.student ? data.student["class"] : "");
        remember("ok", data.message);
        kiosk.beep(true);
      } else if (data.result === "already") {
        show("info", data.message, data.student ? data.student["class"] : "");
        kiosk.beep(true);
      } else {
        show("error", data.message || texts.error, "");
        remember("error", data.message || texts.error);
        kiosk.beep(false);
      }
    }).catch(function () {
      show("error", texts.offlineNotRecorded, "");
      kiosk.beep(false);
      lastCode = null;                        // let the same card be tried again at once
    }).then(function () { busy = false; });
  }

  function onDecode(decoded) {
    var code = (decoded && decoded.data || "").trim();
    if (!code || busy) return;
    var now = Date.now();
    if (code === lastCode && now - lastAt < REPEAT_MS) return;
    lastCode = code; lastAt = now;
    send(code);
  }

  var scanner = new window.QrScanner(video, onDecode, {
    returnDetailedScanResult: true,
    preferredCamera: "user",
    maxScansPerSecond: 8,
    highlightScanRegion: false,
    calculateScanRegion: function (v) {
      var scale = Math.min(1, 640 / (v.videoWidth || 640));
      return {x: 0, y: 0, width: v.videoWidth, height: v.videoHeight,
              downScaledWidth: Math.round(v.videoWidth * scale), downScaledHeight: Math.round(v.videoHeight * scale)};
    }
  });

  document.addEventListener("kiosk:mode", function (event) {
    if (event.detail.mode === "cards") {
      scanner.start().then(function () { cameraError.hidden = true; })
        .catch(function () { cameraError.hidden = false; });
    } else {
      scanner.stop();
    }
  });
})();
