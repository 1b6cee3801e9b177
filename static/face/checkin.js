/* Hadir self check-in page (templates/face/checkin.html) on the `face` API (contract 003).
 *
 * 1. GET profile: 200 shows the camera, 401 the sign-in form.
 * 2. Sign in: POST login {email, password}; the server sets the httpOnly `token` cookie
 *    (this script never sees it; fetch sends it with credentials "same-origin").
 * 3. Check in: the current camera frame, downscaled to at most 640 px wide, as a JPEG
 *    (quality 0.85) data URL in POST attendance {image}. The server verifies the face 1:1
 *    against the person's enrolment; its answer ({message}) is shown as it is.
 *    201 with attendance.status "success" → state "ok" (also a first photo that waits for an
 *    admin: the message says so), 201 "failed" (no face, not this person's face) → "error",
 *    409 (already today) → "info", anything else → "error".
 * 4. GET attendance lists the recent check-ins; sign out is POST logout.
 * Every request body is JSON (Content-Type: application/json), as the API requires.
 */
(function () {
  "use strict";
  var app = document.getElementById("face-app");
  if (!app) return;
  var urls = app.dataset;
  var texts = document.getElementById("face-texts").dataset;
  var loginSection = document.getElementById("face-login");
  var checkinSection = document.getElementById("face-checkin");
  var loginForm = document.getElementById("face-login-form");
  var loginError = document.getElementById("face-login-error");
  var who = document.getElementById("face-who");
  var userName = document.getElementById("face-user-name");
  var video = document.getElementById("face-video");
  var cameraError = document.getElementById("face-camera-error");
  var captureButton = document.getElementById("face-capture");
  var result = document.getElementById("face-result");
  var records = document.getElementById("face-records");
  var canvas = document.createElement("canvas");
  var stream = null;
  var MAX_WIDTH = 640, QUALITY = 0.85, SHOWN_RECORDS = 5;
  var lang = document.documentElement.lang || "id";
  // Times in the organisation's zone (the server's "today"), whatever the laptop's clock zone.
  var zone = app.dataset.timezone || undefined;

  function call(method, url, payload) {
    var options = {method: method, credentials: "same-origin", headers: {"Accept": "application/json"}};
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return {status: response.status, body: body || {}};
      });
    });
  }

  function formatted(iso, method, options) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    try {
      return date[method](lang, Object.assign({timeZone: zone}, options));
    } catch (e) {  // an unknown zone name: the laptop's own zone
      return date[method](lang, options);
    }
  }

  function clock(iso) {
    return formatted(iso, "toLocaleTimeString", {hour: "2-digit", minute: "2-digit"});
  }

  function day(iso) {
    return formatted(iso, "toLocaleDateString", {weekday: "long", day: "numeric", month: "long", year: "numeric"});
  }

  function showResult(state, message) {
    result.dataset.state = state;
    result.textContent = message;
  }

  function show(view) {
    app.dataset.state = view;
    loginSection.hidden = view !== "login";
    checkinSection.hidden = view !== "checkin";
    who.hidden = view !== "checkin";
  }

  // the shared camera module (kiosk/static/camera.js, ES module at a cache-busted URL)
  var camera = import(app.dataset.cameraModule);

  function startCamera() {
    if (stream) return;
    camera.then(function (module) { return module.openCamera(video); })
      .then(function (s) { stream = s; cameraError.hidden = true; captureButton.disabled = false; })
      .catch(function (error) {
        cameraError.textContent = error && error.reason === "insecure" ? texts.cameraInsecure : texts.cameraError;
        cameraError.hidden = false;
      });
  }

  function stopCamera() {
    var running = stream;
    stream = null;
    captureButton.disabled = true;
    if (running) camera.then(function (module) { module.stopCamera(running); });
  }

  function loadRecords() {
    return call("GET", urls.attendanceUrl).then(function (answer) {
      records.textContent = "";
      var list = (answer.status === 200 && answer.body.records) || [];
      if (!list.length) {
        var empty = document.createElement("li");
        empty.className = "face-records-empty";
        empty.textContent = texts.noRecords;
        records.appendChild(empty);
        return;
      }
      list.slice(0, SHOWN_RECORDS).forEach(function (record) {
        var item = document.createElement("li");
        item.dataset.status = record.status;
        var when = document.createElement("span");
        when.textContent = day(record.timestamp);
        var time = document.createElement("strong");
        time.textContent = clock(record.timestamp);
        item.appendChild(when);
        if (record.status === "failed") {
          var label = document.createElement("span");
          label.className = "face-record-failed";
          label.textContent = texts.failed;
          item.appendChild(label);
        }
        item.appendChild(time);
        records.appendChild(item);
      });
    });
  }

  function signedIn(user) {
    userName.textContent = user.name;
    show("checkin");
    showResult("idle", "");
    startCamera();
    loadRecords();
  }

  function signedOut() {
    stopCamera();
    show("login");
    document.getElementById("face-password").value = "";
  }

  loginForm.addEventListener("submit", function (event) {
    event.preventDefault();
    loginError.hidden = true;
    var button = loginForm.querySelector("button[type=submit]");
    button.disabled = true;
    call("POST", urls.loginUrl, {
      email: document.getElementById("face-email").value,
      password: document.getElementById("face-password").value
    }).then(function (answer) {
      if (answer.status === 200 && answer.body.user) { signedIn(answer.body.user); return; }
      loginError.textContent = answer.body.message || texts.networkError;
      loginError.hidden = false;
    }).catch(function () {
      loginError.textContent = texts.networkError;
      loginError.hidden = false;
    }).then(function () { button.disabled = false; });
  });

  captureButton.addEventListener("click", function () {
    if (!video.videoWidth) return;
    var scale = Math.min(1, MAX_WIDTH / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = canvas.toDataURL("image/jpeg", QUALITY);
    captureButton.disabled = true;
    showResult("busy", texts.sending);
    call("POST", urls.attendanceUrl, {image: image}).then(function (answer) {
      var attendance = answer.body.attendance || {};
      if (answer.status === 201 && attendance.status === "failed") {
        showResult("error", answer.body.message || texts.networkError);
        loadRecords();
      } else if (answer.status === 201) {
        showResult("ok", answer.body.message + " — " + texts.checkedIn.replace("{time}", clock(attendance.timestamp)));
        loadRecords();
      } else if (answer.status === 401) {
        signedOut();
      } else {
        showResult(answer.status === 409 ? "info" : "error", answer.body.message || texts.networkError);
      }
    }).catch(function () {
      showResult("error", texts.networkError);
    }).then(function () { captureButton.disabled = !stream; });
  });

  document.getElementById("face-logout").addEventListener("click", function () {
    call("POST", urls.logoutUrl).catch(function () { return null; }).then(signedOut);
  });

  call("GET", urls.profileUrl).then(function (answer) {
    if (answer.status === 200 && answer.body.user) signedIn(answer.body.user); else signedOut();
  }).catch(function () { signedOut(); });
})();
