/* Face enrolment page (templates/faces/person.html).
 *
 * - Chosen photos are downscaled in the browser (longest side data-max-side px,
 *   JPEG, EXIF orientation applied) and sent one per request, so that phone
 *   photos fit the server's request limit and each request stays short; a file
 *   the browser cannot decode is sent as it is, for the server to name the problem.
 * - The camera (the shared kiosk/static/camera.js module, loaded with import()) is
 *   offered only when the browser has one; each photo taken is sent at once.
 * - The server answers with the result lines (appended to #face-upload-results)
 *   and the sample gallery (#face-samples, swapped out of band by htmx.swap).
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-face-enrol]");
  if (!root) { return; }
  var form = root.querySelector("form[data-face-upload]");
  var input = form.querySelector('input[type="file"]');
  var results = document.getElementById("face-upload-results");
  var status = root.querySelector("[data-upload-status]");
  var maxSide = parseInt(root.dataset.maxSide, 10) || 1600;
  var queue = Promise.resolve();
  var pending = 0;
  var shots = 0;

  function updateStatus() {
    status.textContent = pending ? root.dataset.msgSending.replace("%(num)s", pending) : "";
  }

  function addError(name, message) {
    var item = document.createElement("li");
    item.className = "face-result face-result--error";
    item.dataset.ok = "false";
    var strong = document.createElement("strong");
    strong.className = "mono";
    strong.textContent = name + " ";
    var text = document.createElement("span");
    text.textContent = message;
    item.appendChild(strong);
    item.appendChild(text);
    results.appendChild(item);
  }

  function toJpeg(source, width, height) {
    var scale = Math.min(1, maxSide / Math.max(width, height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    canvas.getContext("2d").drawImage(source, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) { return blob ? resolve(blob) : reject(new Error("encode")); }, "image/jpeg", 0.92);
    });
  }

  function downscale(file) {
    if (!window.createImageBitmap) { return Promise.resolve(file); }
    return createImageBitmap(file, { imageOrientation: "from-image" })
      .then(function (bitmap) { return toJpeg(bitmap, bitmap.width, bitmap.height); })
      .catch(function () { return file; });
  }

  function send(blob, name) {
    var data = new FormData();
    data.append("csrf_token", form.querySelector('input[name="csrf_token"]').value);
    data.append("photos", blob, name);
    return fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                                headers: { "HX-Request": "true", "HX-Current-URL": window.location.href } })
      .then(function (response) {
        if (response.status === 413) { throw { userMessage: root.dataset.msgTooLarge }; }
        if (response.status === 401 && response.headers.get("HX-Redirect")) {
          window.location.href = response.headers.get("HX-Redirect");
        }
        if (!response.ok) { throw { userMessage: root.dataset.msgFailed }; }
        return response.text();
      })
      .then(function (html) { htmx.swap(results, html, { swapStyle: "beforeend" }); })
      .catch(function (error) {
        addError(name, (error && error.userMessage) || root.dataset.msgFailed);
      });
  }

  function enqueue(prepare, name) {
    pending += 1;
    updateStatus();
    queue = queue
      .then(function () { return prepare().then(function (blob) { return send(blob, name); }); })
      .then(function () { pending -= 1; updateStatus(); });
  }

  form.addEventListener("submit", function (event) {
    if (!window.fetch || !window.htmx) { return; }  // plain form post
    event.preventDefault();
    Array.prototype.forEach.call(input.files, function (file) {
      enqueue(function () { return downscale(file); }, file.name);
    });
    form.reset();
  });

  // --- camera ---------------------------------------------------------------
  var camera = root.querySelector("[data-camera]");
  var video = camera.querySelector("[data-camera-video]");
  var startButton = camera.querySelector("[data-camera-start]");
  var shootButton = camera.querySelector("[data-camera-shoot]");
  var stopButton = camera.querySelector("[data-camera-stop]");
  var stream = null;

  function showRunning(running) {
    video.hidden = !running;
    shootButton.hidden = !running;
    stopButton.hidden = !running;
    startButton.hidden = running;
  }

  // the shared camera module (kiosk/static/camera.js, ES module at a cache-busted URL)
  var cameraModule = import(root.dataset.cameraModule);

  function stop() {
    var running = stream;
    stream = null;
    showRunning(false);
    if (running) { cameraModule.then(function (module) { module.stopCamera(running, video); }); }
  }

  startButton.addEventListener("click", function () {
    cameraModule.then(function (module) { return module.openCamera(video); })
      .then(function (media) { stream = media; showRunning(true); })
      .catch(function (error) {
        addError("", error && error.reason === "insecure" ? root.dataset.msgCameraInsecure : root.dataset.msgCameraDenied);
      });
  });
  stopButton.addEventListener("click", stop);
  shootButton.addEventListener("click", function () {
    if (!stream || !video.videoWidth) { return; }
    shots += 1;
    var shot = toJpeg(video, video.videoWidth, video.videoHeight);
    enqueue(function () { return shot; }, "camera-" + shots + ".jpg");
  });
  window.addEventListener("pagehide", stop);

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia && navigator.mediaDevices.enumerateDevices) {
    navigator.mediaDevices.enumerateDevices().then(function (devices) {
      camera.hidden = !devices.some(function (d) { return d.kind === "videoinput"; });
    }).catch(function () { camera.hidden = true; });
  }
})();
