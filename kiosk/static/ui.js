/* What every kiosk mode shows and sounds the same way.
 *
 *   beep(ok)                         a short tone: one high when ok, two low otherwise (silent without audio);
 *   showResult(box, state, title, detail, holdMs = 6000)
 *                                    fills a .kiosk-result box (-title, -detail children), sets its
 *                                    data-state (idle | ok | info | error | queued), back to idle after holdMs;
 *   texts                            the page's translated sentences (<template id="kiosk-texts"> data-*).
 */
let audio = null;

export function beep(ok) {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    (ok ? [880] : [220, 220]).forEach((hz, i) => {
      const osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = hz; gain.gain.value = 0.15;
      osc.connect(gain); gain.connect(audio.destination);
      const at = audio.currentTime + i * 0.2;
      osc.start(at); osc.stop(at + 0.12);
    });
  } catch (e) { /* no audio: the screen says it all */ }
}

export function showResult(box, state, title, detail = "", holdMs = 6000) {
  box.dataset.state = state;
  box.querySelector(".kiosk-result-title").textContent = title;
  box.querySelector(".kiosk-result-detail").textContent = detail || "";
  clearTimeout(box._hadirTimer);
  box._hadirTimer = setTimeout(() => { box.dataset.state = "idle"; }, holdMs);
}

const template = document.getElementById("kiosk-texts");
export const texts = template ? template.dataset : {};

/** The sentence for a camera that cannot start (CameraError.reason). */
export function cameraText(error) {
  return error && error.reason === "insecure" ? texts.cameraInsecure : texts.cameraDenied;
}
