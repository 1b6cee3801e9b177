/* Hadir camera module (ES module, no build step): the one place that opens a webcam.
 *
 * Used by the kiosk's face, card and ER modes, the /face/ self check-in page and the admin's
 * face enrolment (those two load it with import() from the URL in their page's
 * data-camera-module attribute, so they get the same cache-busted file).
 *
 *   cameraProblem()                  → null when a camera can be asked for, else "insecure"
 *                                      (page not opened over https:// or localhost: browsers
 *                                      hide navigator.mediaDevices there) or "unsupported";
 *   openCamera(video, {facingMode})  → Promise of the MediaStream, playing in `video`; rejects
 *                                      with a CameraError {reason: "insecure" | "unsupported" |
 *                                      "denied"} — never a TypeError from a missing API;
 *   stopCamera(stream, video)        → stops every track and detaches the stream;
 *   grabFrame(video, canvas, maxWidth) → draws the current frame, at most maxWidth px wide, on
 *                                      canvas (as the camera sees it, not mirrored) and returns it;
 *   frameBlob(video, canvas, {maxWidth, quality}) → Promise of a JPEG Blob of the frame.
 */
export class CameraError extends Error {
  constructor(reason, cause) {
    super("camera " + reason);
    this.name = "CameraError";
    this.reason = reason;
    this.cause = cause;
  }
}

export function cameraProblem() {
  if (!window.isSecureContext) return "insecure";
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return "unsupported";
  return null;
}

export function openCamera(video, options = {}) {
  const problem = cameraProblem();
  if (problem) return Promise.reject(new CameraError(problem));
  const constraints = {audio: false, video: {facingMode: options.facingMode || "user", width: {ideal: 1280}}};
  return navigator.mediaDevices.getUserMedia(constraints).then((stream) => {
    video.srcObject = stream;
    return Promise.resolve(video.play()).catch(() => undefined).then(() => stream);
  }, (error) => { throw new CameraError("denied", error); });
}

export function stopCamera(stream, video) {
  if (stream) stream.getTracks().forEach((track) => track.stop());
  if (video) video.srcObject = null;   // a stopped stream keeps its size: no stale frame to capture
}

export function grabFrame(video, canvas, maxWidth = 640) {
  const scale = Math.min(1, maxWidth / video.videoWidth);
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas;
}

export function frameBlob(video, canvas, {maxWidth = 640, quality = 0.85} = {}) {
  grabFrame(video, canvas, maxWidth);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
}
