/* Hadir kiosk page (kiosk/templates/tablet/home.html): the entry module.
 *
 * - the header clock, in the organisation's timezone, on the server's time (the offset is
 *   corrected from every answer's Date header, and precisely by qr.js from every token);
 * - the mode buttons (the choice is kept in localStorage); each mode is one module
 *   (qr.js, cards.js, face.js, escorts.js) exporting setup(ctx) → {start(), stop()}, started
 *   when its section is shown and stopped when another is;
 * - the offline banner: shown when a request fails or the browser says it is offline, hidden
 *   at the next answer;
 * - the Screen Wake Lock, so a wall tablet's display stays on (taken again whenever the page
 *   becomes visible; browsers without it, or over plain http, simply do not get it);
 * - after a deploy (an answer's X-Kiosk-Version differs from the page's) the page reloads itself
 *   once nobody has touched it for a minute, so tablets left running pick up the new files.
 * ctx = {root, api (api.js), setOnline(ok), serverNow(), setServerOffset(ms)}.
 */
import {createApi} from "./api.js";

const MODULES = {qr: "./qr.js", cards: "./cards.js", face: "./face.js", escorts: "./escorts.js"};
const IDLE_BEFORE_RELOAD_MS = 60000;

const root = document.querySelector("[data-kiosk]");
if (root) start(root);

function start(root) {
  const banner = document.getElementById("kiosk-offline");
  const clock = document.getElementById("kiosk-clock");
  let offsetMs = 0, stale = false, lastTouch = Date.now();
  const listeners = new Set();

  function setOnline(ok) {
    if (banner) banner.hidden = ok;
    root.classList.toggle("is-offline", !ok);
    if (ok) listeners.forEach((fn) => fn());
  }
  // the server's Date header has whole seconds: correct the offset only when it is off by more
  const api = createApi(root, {onOnline: setOnline, onStale: () => { stale = true; }, onServerTime: (ms) => {
    const off = ms - Date.now();
    if (Math.abs(off - offsetMs) > 1500) offsetMs = off;
  }});
  const ctx = {
    root, api, setOnline,
    serverNow: () => Date.now() + offsetMs,
    setServerOffset: (ms) => { offsetMs = ms; },
    onBackOnline: (fn) => listeners.add(fn),
  };

  function tick() {
    if (!clock) return;
    const options = {hour: "2-digit", minute: "2-digit", timeZone: root.dataset.timezone || undefined};
    try {
      clock.textContent = new Date(ctx.serverNow()).toLocaleTimeString(root.dataset.locale || "id-ID", options);
    } catch (e) {
      clock.textContent = new Date(ctx.serverNow()).toLocaleTimeString();
    }
  }
  setInterval(tick, 1000);
  tick();

  // ---- wake lock ----
  let wakeLock = null;
  function keepAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible" || wakeLock) return;
    navigator.wakeLock.request("screen").then((lock) => {
      wakeLock = lock;
      root.dataset.wakeLock = "on";
      lock.addEventListener("release", () => { wakeLock = null; root.dataset.wakeLock = "off"; });
    }).catch(() => { root.dataset.wakeLock = "unavailable"; });
  }
  document.addEventListener("visibilitychange", keepAwake);
  keepAwake();

  // ---- reload after a deploy, when nobody is using the kiosk ----
  ["pointerdown", "keydown"].forEach((name) => document.addEventListener(name, () => { lastTouch = Date.now(); }, true));
  setInterval(() => {
    if (stale && Date.now() - lastTouch > IDLE_BEFORE_RELOAD_MS) window.location.reload();
  }, 5000);

  window.addEventListener("online", () => listeners.forEach((fn) => fn()));
  window.addEventListener("offline", () => setOnline(false));

  // ---- modes ----
  const sections = Array.from(document.querySelectorAll("section[data-mode]"));
  const buttons = Array.from(document.querySelectorAll("[data-mode-button]"));
  const modes = {};
  let shown = null;
  Promise.all(sections.map((section) => import(MODULES[section.dataset.mode]).then((module) => {
    modes[section.dataset.mode] = module.setup(ctx, section);
  }))).then(() => {
    let stored = null;
    try { stored = window.localStorage.getItem("hadir-kiosk-mode"); } catch (e) { stored = null; }
    const known = sections.map((section) => section.dataset.mode);
    if (known.length) show(known.includes(stored) ? stored : known[0]);
    root.dataset.ready = "true";
  });

  function show(mode) {
    if (shown && shown !== mode && modes[shown]) modes[shown].stop();
    sections.forEach((section) => { section.hidden = section.dataset.mode !== mode; });
    buttons.forEach((button) => button.setAttribute("aria-pressed", String(button.dataset.modeButton === mode)));
    try { window.localStorage.setItem("hadir-kiosk-mode", mode); } catch (e) { /* private mode */ }
    shown = mode;
    if (modes[mode]) modes[mode].start();
  }
  buttons.forEach((button) => button.addEventListener("click", () => show(button.dataset.modeButton)));
}
