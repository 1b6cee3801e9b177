/* Kiosk QR mode: the rotating attendance QR code phones scan (section [data-mode=qr]).
 *
 * Fetches {token, svg, expires_at, valid_until, period_s, server_time} from data-qr-url and shows
 * the next code as soon as expires_at passes (the server's times; the offset between the server
 * clock and this tablet's is corrected on every answer). A countdown and a bar show the seconds
 * left. When the network drops it retries with backoff (1 s, 2 s, 4 s ... at most 15 s); the
 * code stays on screen until valid_until, then it is dimmed and says it has expired: this mode
 * needs the server, nothing is kept for later.
 */
export function setup(ctx, section) {
  const {root, api} = ctx;
  const box = section.querySelector("#kiosk-qr");
  const stale = section.querySelector("#kiosk-qr-stale");
  const countdown = section.querySelector("#kiosk-countdown");
  const fill = section.querySelector("#kiosk-countdown-fill");
  let expiresAt = 0, validUntil = 0, periodMs = 30000, timer = null, ticker = null, retryMs = 1000, active = false;

  function schedule(ms) {
    clearTimeout(timer);
    if (active) timer = setTimeout(refresh, Math.max(ms, 200));
  }

  function refresh() {
    api.getJson(root.dataset.qrUrl).then((answer) => {
      if (!answer) return;
      if (answer.status !== 200) throw new Error("HTTP " + answer.status);
      const data = answer.data;
      ctx.setServerOffset(Date.parse(data.server_time) - Date.now());
      box.innerHTML = data.svg;
      box.dataset.token = data.token;
      expiresAt = Date.parse(data.expires_at);
      validUntil = Date.parse(data.valid_until);
      periodMs = data.period_s * 1000;
      retryMs = 1000;
      tick();
      schedule(expiresAt - ctx.serverNow() + 150);
    }).catch(() => {
      schedule(retryMs);
      retryMs = Math.min(retryMs * 2, 15000);
    });
  }

  function tick() {
    const now = ctx.serverNow();
    if (expiresAt) {
      countdown.textContent = String(Math.max(0, Math.ceil((expiresAt - now) / 1000)));
      fill.style.width = Math.max(0, Math.min(100, (expiresAt - now) / periodMs * 100)) + "%";
    }
    const expired = Boolean(validUntil && now > validUntil);
    stale.hidden = !expired;
    box.classList.toggle("is-stale", expired);
  }

  ctx.onBackOnline(() => { if (active) { retryMs = 1000; schedule(0); } });
  return {
    start() { active = true; schedule(0); ticker = setInterval(tick, 250); },
    stop() { active = false; clearTimeout(timer); clearInterval(ticker); },
  };
}
