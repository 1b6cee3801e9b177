/* Kiosk ER escort registration (section [data-mode=escorts]; ES module).
 *
 * Steps: category (three big buttons) → details (name, gender, phone, plate or "no vehicle",
 * patient's name; large inputs that scroll into view above an on-screen keyboard) → photo
 * (webcam preview, take / retake) → confirm (summary) → sent (the short reference staff read
 * out, e.g. IGD-0412; the form resets itself after 20 s). Each step is checked before the
 * next: "Next: photo" asks the server to check the details (data-escort-check-url, the same
 * rules as the registration) and shows its per-field messages on the details step, so nobody
 * takes a photo to learn at the end that a field was missing. The server checks everything
 * again on sending; its messages bring the person back to the step with the field.
 * The photo is a 640-px JPEG data URL. This mode needs the server (no offline queue).
 */
import {grabFrame, openCamera, stopCamera} from "./camera.js";
import {beep, cameraText, texts} from "./ui.js";

export function setup(ctx, section) {
  var api = ctx.api;
  var root = ctx.root;
  var form = document.getElementById("escort-form");
  var video = document.getElementById("escort-video");
  var still = document.getElementById("escort-still");
  var cameraError = document.getElementById("escort-camera-error");
  var capture = document.getElementById("escort-capture");
  var retake = document.getElementById("escort-retake");
  var toConfirm = document.getElementById("escort-to-confirm");
  var submitError = document.getElementById("escort-submit-error");
  var canvas = document.createElement("canvas");
  var category = null, photo = null, stream = null, resetTimer = null, sending = false, checking = false;
  var detailsError = document.getElementById("escort-details-error");
  var FIELD_STEP = {category: "category", name: "details", gender: "details", phone: "details",
                    plate_number: "details", patient_name: "details", photo: "photo"};

  function show(step) {
    section.querySelectorAll(".escort-step").forEach(function (el) { el.hidden = el.dataset.step !== step; });
    if (step === "photo") startCamera(); else stopPreview();
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
    openCamera(video).then(function (s) {
      if (section.querySelector('.escort-step[data-step="photo"]').hidden) { stopCamera(s, video); return; }
      stream = s; cameraError.hidden = true;
      capture.disabled = !video.videoWidth;
    }, function (error) { cameraError.textContent = cameraText(error); cameraError.hidden = false; });
  }

  function stopPreview() {
    stopCamera(stream, video);
    stream = null;
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
  // the details are checked by the server before the photo step opens
  function checkDetails() {
    if (checking) return;
    checking = true;
    detailsError.hidden = true;
    api.postJson(root.dataset.escortCheckUrl, values()).then(function (answer) {
      if (!answer) return;
      if (answer.data.result === "valid") { clearErrors(); show("photo"); return; }
      if (answer.data.errors) { showErrors(answer.data.errors); beep(false); return; }
      detailsError.textContent = answer.data.message || texts.error;
      detailsError.hidden = false;
    }, function () {
      detailsError.textContent = texts.offlineTryAgain;
      detailsError.hidden = false;
    }).then(function () { checking = false; });
  }

  section.querySelectorAll("[data-go]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (button.closest('[data-step="done"]')) { reset(); return; }
      if (button.dataset.go === "photo" && button.closest('[data-step="details"]')) { checkDetails(); return; }
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
    setPhoto(grabFrame(video, canvas, 640).toDataURL("image/jpeg", 0.85));
    stopPreview();
  });
  retake.addEventListener("click", function () { setPhoto(null); startCamera(); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) return;
    sending = true;
    submitError.hidden = true;
    var payload = values();
    payload.photo = photo;
    api.postJson(root.dataset.escortUrl, payload)
      .then(function (answer) {
        if (!answer) return;
        if (answer.data.result === "registered") {
          document.getElementById("escort-done-message").textContent = answer.data.message;
          document.getElementById("escort-reference").textContent = answer.data.reference;
          show("done");
          beep(true);
          resetTimer = setTimeout(reset, 20000);
        } else if (answer.data.errors) {
          showErrors(answer.data.errors);
          beep(false);
        } else {
          submitError.textContent = answer.data.message || texts.error;
          submitError.hidden = false;
        }
      })
      .catch(function () {
        submitError.textContent = texts.offlineTryAgain;
        submitError.hidden = false;
      })
      .then(function () { sending = false; });
  });

  return {
    start: function () { if (!section.querySelector('.escort-step[data-step="photo"]').hidden) startCamera(); },
    stop: stopPreview,
  };
}
