/* Hadir kiosk, ER escort registration (templates/kiosk/home.html, section [data-mode=escorts]).
 *
 * Steps: category (three big buttons) → details (name, gender, phone, plate or "no vehicle",
 * patient's name; large inputs that scroll into view above an on-screen keyboard) → photo
 * (webcam preview, take / retake) → confirm (summary) → sent (reference shown, the form
 * resets itself after 20 s). The server checks everything again; its per-field messages
 * bring the person back to the step with the field. The photo is a 640-px JPEG data URL.
 */
(function () {
  "use strict";
  var section = document.getElementById("kiosk-escorts-mode");
  if (!section || !window.HadirKiosk) return;
  var kiosk = window.HadirKiosk;
  var texts = document.getElementById("kiosk-texts").dataset;
  var form = document.getElementById("escort-form");
  var video = document.getElementById("escort-video");
  var still = document.getElementById("escort-still");
  var cameraError = document.getElementById("escort-camera-error");
  var capture = document.getElementById("escort-capture");
  var retake = document.getElementById("escort-retake");
  var toConfirm = document.getElementById("escort-to-confirm");
  var submitError = document.getElementById("escort-submit-error");
  var canvas = document.createElement("canvas");
  var category = null, photo = null, stream = null, resetTimer = null, sending = false;
  var FIELD_STEP = {category: "category", name: "details", gender: "details", phone: "details",
                    plate_number: "details", patient_name: "details", photo: "photo"};

  function show(step) {
    section.querySelectorAll(".escort-step").forEach(function (el) { el.hidden = el.dataset.step !== step; });
    if (step === "photo") startCamera(); else stopCamera();
    if (step === "confirm") summarise();
    var first = section.querySelector('.escort-step[data-step="' + step + '"] input:not([type=radio]):not([type=checkbox])');
    if (first && step === "details" && !first.value) first.focus();
  }

  function values() {
    var data = new FormData(form);
    var plate = form.elements.no_vehicle.checked ? texts.noVehicle : (data.get("plate_number") || "").trim();
    return {category: category, name: (data.get("name") || "").trim(), gender: data.get("gender") || "",
            phone: (data.get("phone") || "").replace(/[\s-]/g, ""), plate_number: plate.toUpperCase(),
            patient_name: (data.get("patient_name") || "").trim()};
  }

  function clearErrors() {
    section.querySelectorAll(".escort-error[data-error-for]").forEach(function (el) { el.hidden = true; });
  }

  function showErrors(errors) {
    clearErrors();
    var firstStep = null;
    Object.keys(errors).forEach(function (field) {
      var el = section.querySelector('.escort-error[data-error-for="' + field + '"]');
      if (el) { el.textContent = errors[field][0]; el.hidden = false; }
      var step = FIELD_STEP[field] || "details";
      if (!firstStep || step === "category" || (step === "details" && firstStep === "photo")) firstStep = step;
    });
    show(firstStep || "details");
  }

  function summarise() {
    var v = values(), rows = [
      [texts.labelCategory, texts[v.category] || ""], [texts.labelName, v.name],
      [texts.labelGender, v.gender ? texts[v.gender] : ""], [texts.labelPhone, v.phone],
      [texts.labelPlate, v.plate_number], [texts.labelPatient, v.patient_name]];
    var list = document.getElementById("escort-summary");
    list.textContent = "";
    rows.forEach(function (row) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = row[0]; dd.textContent = row[1];
      list.appendChild(dt); list.appendChild(dd);
    });
    document.getElementById("escort-summary-photo").src = photo || "";
  }

  // "Take photo" is enabled only while the live camera shows a frame: a press while the camera
  // is still starting would otherwise do nothing, and the person would not know why.
  function startCamera() {
    if (stream || photo) return;
    capture.disabled = true;
    navigator.mediaDevices.getUserMedia({video: {facingMode: "user", width: {ideal: 1280}}, audio: false})
      .then(function (s) { stream = s; video.srcObject = s; cameraError.hidden = true; return video.play(); })
      .catch(function () { cameraError.hidden = false; });
  }

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.srcObject = null;          // a stopped stream keeps its size: no stale frame to capture
    capture.disabled = true;
  }

  ["playing", "resize"].forEach(function (name) {
    video.addEventListener(name, function () { capture.disabled = !stream || !video.videoWidth; });
  });

  function setPhoto(dataUrl) {
    photo = dataUrl;
    still.src = dataUrl || "";
    still.hidden = !dataUrl;
    video.hidden = Boolean(dataUrl);
    capture.hidden = Boolean(dataUrl);
    retake.hidden = toConfirm.hidden = !dataUrl;
  }

  function reset() {
    clearTimeout(resetTimer);
    form.reset();
    category = null;
    setPhoto(null);
    clearErrors();
    submitError.hidden = true;
    show("category");
  }

  section.querySelectorAll("[data-category]").forEach(function (button) {
    button.addEventListener("click", function () {
      category = button.dataset.category;
      document.getElementById("escort-category-badge").textContent = texts[category];
      show("details");
    });
  });
  section.querySelectorAll("[data-go]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (button.closest('[data-step="done"]')) { reset(); return; }
      show(button.dataset.go);
    });
  });
  form.elements.no_vehicle.addEventListener("change", function () {
    form.elements.plate_number.disabled = this.checked;
  });
  section.querySelectorAll("input").forEach(function (input) {
    input.addEventListener("focus", function () { input.scrollIntoView({block: "center", behavior: "smooth"}); });
  });
  capture.addEventListener("click", function () {
    if (!stream || !video.videoWidth) return;
    var scale = Math.min(1, 640 / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    setPhoto(canvas.toDataURL("image/jpeg", 0.85));
    stopCamera();
  });
  retake.addEventListener("click", function () { setPhoto(null); startCamera(); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) return;
    sending = true;
    submitError.hidden = true;
    var payload = values();
    payload.photo = photo;
    kiosk.post(document.querySelector("[data-kiosk]").dataset.escortUrl, JSON.stringify(payload), "application/json")
      .then(function (answer) {
        if (!answer) return;
        if (answer.data.result === "registered") {
          document.getElementById("escort-done-message").textContent = answer.data.message;
          document.getElementById("escort-reference").textContent = answer.data.reference;
          show("done");
          kiosk.beep(true);
          resetTimer = setTimeout(reset, 20000);
        } else if (answer.data.errors) {
          showErrors(answer.data.errors);
          kiosk.beep(false);
        } else {
          submitError.textContent = answer.data.message || texts.error;
          submitError.hidden = false;
        }
      })
      .catch(function () {
        submitError.textContent = texts.offlineNotRecorded;
        submitError.hidden = false;
      })
      .then(function () { sending = false; });
  });

  document.addEventListener("kiosk:mode", function (event) {
    if (event.detail.mode !== "escorts") stopCamera();
  });
})();
