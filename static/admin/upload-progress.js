/* Upload forms with a progress bar (users CSV import, bulk face enrolment).
 *
 * A form marked data-upload-progress (htmx hx-post, multipart) with data-max-bytes,
 * data-msg-uploading ("... %(percent)s%") and data-msg-checking, containing a file input,
 * a [data-size-error] message, a <progress> and a [data-progress-text]:
 * - a file larger than data-max-bytes is refused before it is sent (the message is shown);
 * - while uploading, the bar and the text follow htmx's xhr progress; at 100 % the text
 *   says the server is checking the file.
 */
(function () {
  "use strict";
  function uploadForm(event) {
    return event.target.closest && event.target.closest("form[data-upload-progress]");
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = uploadForm(event);
    if (!form) { return; }
    var input = form.querySelector('input[type="file"]');
    var message = form.querySelector("[data-size-error]");
    if (input && input.files.length && input.files[0].size > parseInt(form.dataset.maxBytes, 10)) {
      event.preventDefault();
      message.hidden = false;
      return;
    }
    message.hidden = true;
    var bar = form.querySelector("progress");
    if (bar) { bar.value = 0; }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = uploadForm(event);
    if (!form || !event.detail.lengthComputable) { return; }
    var percent = Math.round(100 * event.detail.loaded / event.detail.total);
    form.querySelector("progress").value = percent;
    form.querySelector("[data-progress-text]").textContent =
      percent < 100 ? form.dataset.msgUploading.replace("%(percent)s", percent) : form.dataset.msgChecking;
  });
})();
