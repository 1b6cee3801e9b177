/* Hadir kiosk, liveness challenge (face mode of a kiosk with liveness on; ES module).
 *
 * Interface (used by face.js; no other state leaves this file):
 *   runChallenge(api, {video, challenge, url, overlay}) → Promise of {status, data}
 *     api:       the kiosk's JSON client (api.js);
 *     video:     the playing <video> of the camera;
 *     challenge: the server's challenge, {id, steps, prompts, step_ms, lead_ms, interval_ms};
 *     url:       where the burst goes (POST multipart: challenge, offsets, frame × N);
 *     overlay:   the element over the camera (kiosk/templates/tablet/_liveness_prompt.html) whose
 *                [data-liveness-prompt] shows the step in large type and
 *                [data-liveness-steps] one dot per step.
 *   It resolves with the server's answer (null when the page navigates away) and rejects
 *   when the network fails, like api.post.
 *
 * What it does: shows "look at the camera" for lead_ms, then each prompt for step_ms
 * ("Kedipkan mata", "Tolehkan kepala ke kiri"), filming one frame every interval_ms
 * throughout (the frame as the camera sees it, not mirrored, at most 640 px wide, JPEG
 * quality 0.85) with its capture time in ms relative to the first prompt (negative during
 * the lead-in); then sends the whole burst. The server judges the frames itself: nothing
 * decided here is trusted.
 */
import {frameBlob} from "./camera.js";

// the bitmap is copied now; the JPEG is encoded later
function grab(video, canvas) { return frameBlob(video, canvas, {maxWidth: 640, quality: 0.85}); }

function show(overlay, text, step, total) {
  overlay.hidden = false;
  overlay.querySelector("[data-liveness-prompt]").textContent = text;
  overlay.dataset.step = String(step);
  var dots = overlay.querySelector("[data-liveness-steps]");
  if (dots.children.length !== total) {
    dots.textContent = "";
    for (var i = 0; i < total; i++) dots.appendChild(document.createElement("li"));
  }
  Array.prototype.forEach.call(dots.children, function (dot, i) {
    dot.dataset.state = i < step ? "done" : (i === step ? "now" : "next");
  });
}

function film(options) {
  var challenge = options.challenge, video = options.video, overlay = options.overlay;
  var texts = overlay.dataset;
  var canvas = document.createElement("canvas");
  var frames = [];
  var total = challenge.steps.length;
  var start = performance.now() + challenge.lead_ms;
  var end = start + total * challenge.step_ms;
  return new Promise(function (resolve) {
    function tick() {
      var now = performance.now();
      if (now >= end) { resolve(frames); return; }
      var offset = Math.round(now - start);
      var step = offset < 0 ? -1 : Math.min(total - 1, Math.floor(offset / challenge.step_ms));
      overlay.dataset.action = step < 0 ? "ready" : challenge.steps[step];
      show(overlay, step < 0 ? texts.ready : challenge.prompts[step], step, total);
      if (video.videoWidth && (!frames.length || offset > frames[frames.length - 1].offset)) {
        frames.push({offset: offset, blob: grab(video, canvas)});
      }
      setTimeout(tick, Math.max(0, challenge.interval_ms - (performance.now() - now)));
    }
    tick();
  });
}

function send(api, options, frames) {
  var overlay = options.overlay;
  show(overlay, overlay.dataset.checking, options.challenge.steps.length, options.challenge.steps.length);
  overlay.dataset.action = "checking";
  return Promise.all(frames.map(function (f) { return f.blob; })).then(function (blobs) {
    var body = new FormData();
    body.append("challenge", options.challenge.id);
    var kept = [];
    blobs.forEach(function (blob, i) {
      if (!blob) return;
      kept.push(frames[i].offset);
      body.append("frame", blob, i + ".jpg");
    });
    body.append("offsets", JSON.stringify(kept));
    return api.post(options.url, body, null);
  });
}

export function runChallenge(api, options) {
  return film(options).then(function (frames) { return send(api, options, frames); })
    .then(function (answer) { options.overlay.hidden = true; return answer; },
          function (error) { options.overlay.hidden = true; throw error; });
}
