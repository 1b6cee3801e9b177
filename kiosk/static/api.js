/* The kiosk's one client for its JSON (kiosk/README.md, "The tablet's JSON").
 *
 *   const api = createApi(root, {onOnline(ok), onStale(), onServerTime(ms)})
 *   api.getJson(url)                  → Promise of {status, data}
 *   api.post(url, body, contentType)  → Promise of {status, data}; contentType null lets the
 *                                       browser set it (FormData); JSON bodies: api.postJson(url, value)
 * Both resolve to null when the page navigates away (401: the kiosk was unpaired → pairing
 * page; 400: the CSRF token is stale → reload) and reject when the server cannot be reached
 * (onOnline(false) is called first); any answer calls onOnline(true). An answer whose
 * X-Kiosk-Version differs from the page's data-version calls onStale() (a deploy happened);
 * every answer's Date header is passed to onServerTime (ms since the epoch, whole seconds), so
 * the tablet can date what it does by the server's clock rather than its own.
 */
export function createApi(root, {onOnline = () => {}, onStale = () => {}, onServerTime = () => {}} = {}) {
  const version = root.dataset.version;

  function request(url, options) {
    const headers = Object.assign({"Accept": "application/json"}, options.headers || {});
    return fetch(url, Object.assign({credentials: "same-origin", cache: "no-store"}, options, {headers}))
      .then((response) => {
        const served = response.headers.get("X-Kiosk-Version");
        if (served && version && served !== version) onStale();
        const date = Date.parse(response.headers.get("Date") || "");
        if (!Number.isNaN(date)) onServerTime(date);
        if (response.status === 401) { window.location.assign(root.dataset.pairUrl); return null; }
        if (response.status === 400 && options.method === "POST") { window.location.reload(); return null; }
        onOnline(true);
        return response.json().catch(() => ({})).then((data) => ({status: response.status, data}));
      }, (error) => { onOnline(false); throw error; });
  }

  function post(url, body, contentType) {
    const headers = {"X-CSRFToken": root.dataset.csrf};
    if (contentType) headers["Content-Type"] = contentType;
    return request(url, {method: "POST", body, headers});
  }

  return {
    getJson: (url) => request(url, {method: "GET"}),
    post,
    postJson: (url, value) => post(url, JSON.stringify(value), "application/json"),
  };
}
