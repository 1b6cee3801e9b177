/* Kiosk student-card mode (section [data-mode=cards]).
 *
 * The camera runs while the mode is shown; qr-scanner 1.4.2 (static/vendor, a classic script
 * loaded before this module; decodes in a Web Worker) reads the whole frame, downscaled to at
 * most 640 px wide, up to 8 times a second. A code read is posted to data-scan-url; the same
 * code is not sent again for 4 seconds (a card held still is read many times). The answer is
 * shown in large type (green: recorded; blue: already recorded; red: refused) with a short
 * beep, added to the list of the latest cards, and the counts (recorded here since the page
 * opened, students present today) are updated.
 *
 * Offline: every scan gets a client id (a UUID) and the time it was read, by the server's clock
 * as far as the tablet knows it. When the server cannot be reached the scan is kept in
 * IndexedDB (queue.js) and shown as "tersimpan, akan dikirim" (amber); the kept scans are sent,
 * oldest first, one at a time, as soon as the server answers again (any answer, the browser's
 * "online" event, or every 10 s), each removed from the queue once the server has answered
 * it. The server records a client id once, so a scan sent twice is recorded once.
 */
import {cameraProblem, CameraError} from "./camera.js";
import {newClientId, openQueue} from "./queue.js";
import {beep, cameraText, showResult, texts} from "./ui.js";

const REPEAT_MS = 4000, FLUSH_EVERY_MS = 10000;

export function setup(ctx, section) {
  const {root, api} = ctx;
  const video = section.querySelector("#kiosk-video");
  const result = section.querySelector("#kiosk-result");
  const recent = section.querySelector("#kiosk-recent");
  const countHere = section.querySelector("#kiosk-count-here");
  const countToday = section.querySelector("#kiosk-count-today");
  const cameraError = section.querySelector("#kiosk-camera-error");
  const countQueued = section.querySelector("#kiosk-count-queued");
  const seen = new Map();                      // code → when it was last read (ms)
  let recordedHere = 0, busy = false, flushing = false, queue = null;
  const queueReady = openQueue().then((q) => { queue = q; return q; }, () => null);

  function remember(state, heading, clientId) {
    let item = clientId ? recent.querySelector(`li[data-client-id="${clientId}"]`) : null;
    if (!item) {
      item = document.createElement("li");
      if (clientId) item.dataset.clientId = clientId;
      recent.insertBefore(item, recent.firstChild);
    }
    item.dataset.state = state;
    item.textContent = heading;
    while (recent.children.length > 8) recent.removeChild(recent.lastChild);
  }

  function queuedCount() {
    return queueReady.then((q) => (q ? q.all() : [])).then((items) => {
      countQueued.textContent = String(items.length);
      countQueued.closest("[data-queued]").hidden = items.length === 0;
      return items;
    });
  }

  // a kept scan the server has now answered: counted and listed like a live one, without the big box
  function sentLater(item, data) {
    if (typeof data.present_today === "number") countToday.textContent = String(data.present_today);
    if (data.result === "recorded" && !data.replayed) { recordedHere += 1; countHere.textContent = String(recordedHere); }
    remember(data.result === "recorded" || data.result === "already" ? "ok" : "error",
             data.message || texts.error, item.client_id);
  }

  function flush() {
    if (flushing || !queue) return Promise.resolve();
    flushing = true;
    const next = () => queue.all().then((items) => {
      if (!items.length) return null;
      const item = items[0];
      return api.postJson(root.dataset.scanUrl, item).then((answer) => {
        if (!answer) return null;                          // navigating away: the queue stays
        return queue.remove(item.client_id).then(() => { sentLater(item, answer.data); return next(); });
      });
    });
    return next().catch(() => null).then(() => {
      flushing = false;
      return queuedCount().then((items) => {
        // the kept scans are sent: the box no longer says they wait
        if (!items.length && result.dataset.state === "queued") result.dataset.state = "idle";
      });
    });
  }

  function keep(item) {
    return queueReady.then((q) => {
      if (!q) throw new Error("no queue");
      return q.all().then((items) => {
        // the same card already waiting: the student is seen, nothing more to keep
        if (items.some((kept) => kept.code.toUpperCase() === item.code.toUpperCase())) return;
        return q.add(item);
      });
    }).then(() => {
      showResult(result, "queued", texts.queued, item.code);
      remember("queued", `${texts.queued} · ${item.code}`, item.client_id);
      beep(true);
      return queuedCount();
    });
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
    const item = {client_id: newClientId(), code, scanned_at: new Date(ctx.serverNow()).toISOString()};
    // a live scan is dated by the server; only a kept one carries its own time
    api.postJson(root.dataset.scanUrl, {code, client_id: item.client_id}).then((answer) => {
      if (answer) shown(answer.data);
    }, () => keep(item).catch(() => {
      showResult(result, "error", texts.offlineNotRecorded, "");
      beep(false);
      seen.delete(code);                       // let the same card be tried again at once
    })).then(() => { busy = false; });
  }

  function onDecode(decoded) {
    const code = ((decoded && decoded.data) || "").trim();
    if (!code || busy) return;
    const now = Date.now();
    if (now - (seen.get(code) || 0) < REPEAT_MS) return;
    seen.set(code, now);
    send(code);
  }

  ctx.onBackOnline(() => { flush(); });
  setInterval(() => { if (queue && !flushing) flush(); }, FLUSH_EVERY_MS);
  queueReady.then(() => flush());

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
