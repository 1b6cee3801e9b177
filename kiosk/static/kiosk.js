/* Hadir kiosk page (templates/kiosk/home.html): the rotating attendance QR code.
 *
 * - fetches {token, svg, expires_at, valid_until, server_time} from data-qr-url and shows
 *   the next code as soon as expires_at passes (times are the server's; the offset between
 *   the server clock and this tablet's clock is corrected on every answer);
 * - a countdown and a bar show the seconds left;
 * - when the network drops it shows "offline — retrying" and retries with backoff
 *   (1 s, 2 s, 4 s ... at most 15 s); the code stays on screen until valid_until,
 *   then it is dimmed (it no longer works);
 * - 401 means the kiosk was revoked or replaced: go to the pairing page.
 * - with several modes, the header's buttons switch between them (the choice is kept in
 *   localStorage); a "kiosk:mode" event tells the other scripts (cards.js) which is shown;
 * - window.HadirKiosk = {root, setOnline} is shared with cards.js.
 * No library; no state outside this page: a reload or a server restart just starts over.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-kiosk]");
  if (!root) return;
  var qrBox = document.getElementById("kiosk-qr");
  var stale = document.getElementById("kiosk-qr-stale");
  var countdown = document.getElementById("kiosk-countdown");
  var fill = document.getElementById("kiosk-countdown-fill");
  var offline = document.getElementById("kiosk-offline");
  var clock = document.getElementById("kiosk-clock");
  var offsetMs = 0;            // server time - local time
  var expiresAt = 0, validUntil = 0, periodMs = 30000;
  var timer = null, retryMs = 1000;

  function serverNow() { return Date.now() + offsetMs; }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(refresh, Math.max(ms, 200));
  }

  function setOnline(ok) {
    if (offline) offline.hidden = ok;
    root.classList.toggle("is-offline", !ok);
  }

  function refresh() {
    if (!qrBox || qrBox.closest("[data-mode]").hidden) return;
    fetch(root.dataset.qrUrl, {headers: {"Accept": "application/json"}, cache: "no-store", credentials: "same-origin"})
      .then(function (response) {
        if (response.status === 401) { window.location.assign(root.dataset.pairUrl); throw null; }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        offsetMs = Date.parse(data.server_time) - Date.now();
        qrBox.innerHTML = data.svg;
        qrBox.dataset.token = data.token;
        expiresAt = Date.parse(data.expires_at);
        validUntil = Date.parse(data.valid_until);
        periodMs = data.period_s * 1000;
        retryMs = 1000;
        setOnline(true);
        tick();
        schedule(expiresAt - serverNow() + 150);
      })
      .catch(function (error) {
        if (error === null) return;
        setOnline(false);
        schedule(retryMs);
        retryMs = Math.min(retryMs * 2, 15000);
      });
  }

  function tick() {
    var now = serverNow();
    if (countdown && expiresAt) {
      var left = Math.max(0, Math.ceil((expiresAt - now) / 1000));
      countdown.textContent = String(left);
      if (fill) fill.style.width = Math.max(0, Math.min(100, (expiresAt - now) / periodMs * 100)) + "%";
    }
    if (stale) stale.hidden = !(validUntil && now > validUntil);
    if (qrBox) qrBox.classList.toggle("is-stale", Boolean(validUntil && now > validUntil));
    if (clock) {
      try {
        clock.textContent = new Date(now).toLocaleTimeString(root.dataset.locale || "id-ID",
          {hour: "2-digit", minute: "2-digit", timeZone: root.dataset.timezone || undefined});
      } catch (e) {
        clock.textContent = new Date(now).toLocaleTimeString();
      }
    }
  }

  // ---- modes ----
  var sections = Array.prototype.slice.call(document.querySelectorAll("[data-mode]"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-mode-button]"));
  function showMode(mode) {
    sections.forEach(function (section) { section.hidden = section.dataset.mode !== mode; });
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.modeButton === mode));
    });
    try { window.localStorage.setItem("hadir-kiosk-mode", mode); } catch (e) { /* private mode */ }
    document.dispatchEvent(new CustomEvent("kiosk:mode", {detail: {mode: mode}}));
    if (mode === "qr") schedule(0);
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () { showMode(button.dataset.modeButton); });
  });
  // ---- shared by the camera modes (cards.js, face.js) ----
  var audio = null;
  /** A short beep: one high tone when ok, two low ones otherwise (no audio: silent). */
  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      (ok ? [880] : [220, 220]).forEach(function (hz, i) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = hz; gain.gain.value = 0.15;
        osc.connect(gain); gain.connect(audio.destination);
        var at = audio.currentTime + i * 0.2;
        osc.start(at); osc.stop(at + 0.12);
      });
    } catch (e) { /* no audio: the screen says it all */ }
  }
  /** Show a result box (.kiosk-result with a -title and a -detail child) for 6 s, then idle. */
  function showResult(box, state, heading, text) {
    box.dataset.state = state;
    box.querySelector(".kiosk-result-title").textContent = heading;
    box.querySelector(".kiosk-result-detail").textContent = text || "";
    clearTimeout(box._hadirTimer);
    box._hadirTimer = setTimeout(function () { box.dataset.state = "idle"; }, 6000);
  }
  /** POST to url with the CSRF token; 401 → pairing page, 400 → reload (the session ended).
   *  contentType null: the browser sets it (FormData bodies).
   *  Resolves to {status, data} or null (navigating away); rejects when offline. */
  function post(url, body, contentType) {
    var headers = {"Accept": "application/json", "X-CSRFToken": root.dataset.csrf};
    if (contentType) headers["Content-Type"] = contentType;
    return fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store", body: body, headers: headers
    }).then(function (response) {
      if (response.status === 401) { window.location.assign(root.dataset.pairUrl); return null; }
      if (response.status === 400) { window.location.reload(); return null; }
      setOnline(true);
      return response.json().then(function (data) { return {status: response.status, data: data}; });
    }, function (error) { setOnline(false); throw error; });
  }
  window.HadirKiosk = {root: root, setOnline: setOnline, beep: beep, showResult: showResult, post: post};

  window.addEventListener("online", function () { retryMs = 1000; schedule(0); });
  window.addEventListener("offline", function () { setOnline(false); });
  setInterval(tick, 250);
  tick();
  var stored = null;
  try { stored = window.localStorage.getItem("hadir-kiosk-mode"); } catch (e) { stored = null; }
  var known = sections.map(function (section) { return section.dataset.mode; });
  // after every deferred script (cards.js, face.js) has added its "kiosk:mode" listener
  document.addEventListener("DOMContentLoaded", function () {
    if (known.length) showMode(known.indexOf(stored) >= 0 ? stored : known[0]);
  });
})();
