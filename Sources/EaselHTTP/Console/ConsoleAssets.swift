import HTTPTypes
import Hummingbird

/// The console's script and style sheet, served from `/console/static/…` (the only sources the page policy allows).
enum ConsoleAssets {
    /// `GET /console/static/{file}`: `console.js` or `console.css`; anything else is 404.
    static func response(_ file: String) -> Response {
        let asset: (type: String, body: String)
        switch file {
        case "console.js": asset = ("text/javascript; charset=utf-8", script)
        case "console.css": asset = ("text/css; charset=utf-8", style)
        default: return Response(status: .notFound, headers: [HTTPField.Name("X-Content-Type-Options")!: "nosniff"])
        }
        var headers = HTTPFields()
        headers[.contentType] = asset.type
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: asset.body)))
    }

    // Every element with data-live-events follows that event stream and, on each event, replaces its content with
    // the server-rendered (escaped) fragment at data-live-src. A task's stream ends with the task: the script then
    // stops instead of letting EventSource reconnect for ever.
    static let script = #"""
    "use strict";
    (function () {
      function follow(element) {
        var source = new EventSource(element.getAttribute("data-live-events"));
        var busy = false, again = false, finished = false;
        function refresh() {
          if (busy) { again = true; return; }
          busy = true;
          fetch(element.getAttribute("data-live-src"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
            .then(function (response) {
              // A session that ended is sent to the sign-in form; show that form, not it inside the page.
              if (response.redirected) { source.close(); window.location.assign(response.url); throw new Error("signed out"); }
              if (!response.ok) { throw new Error("status " + response.status); }
              return response.text();
            })
            .then(function (html) { element.innerHTML = html; element.setAttribute("data-live-updated", String(Date.now())); })
            .catch(function () {})
            .finally(function () {
              busy = false;
              if (again) { again = false; refresh(); }
            });
        }
        source.onmessage = function (event) {
          try {
            if (JSON.parse(event.data).status === "COMPLETED") { finished = true; source.close(); }
          } catch (ignored) {}
          refresh();
        };
        source.addEventListener("changed", refresh);
        source.onerror = function () {
          if (finished) { source.close(); }
        };
      }
      document.addEventListener("DOMContentLoaded", function () {
        var live = document.querySelectorAll("[data-live-events]");
        for (var i = 0; i < live.length; i++) { follow(live[i]); }
      });
    })();
    """#

    static let style = """
    :root { --fg: #1d232a; --muted: #5b6672; --line: #d7dde3; --bg: #f6f8fa; --card: #fff; --accent: #2f6fde; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
    header { display: flex; flex-wrap: wrap; gap: .5rem 1.2rem; align-items: center; padding: .6rem 1rem; background: #17202b; color: #fff; }
    header a { color: #dfe7f1; text-decoration: none; }
    header a.here, header a:hover { color: #fff; text-decoration: underline; }
    .brand { font-weight: 700; color: #fff; }
    nav { display: flex; gap: 1rem; flex-wrap: wrap; }
    .logout { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
    .scope { color: #aab6c3; font-size: .85rem; }
    main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
    h1 { font-size: 1.4rem; word-break: break-all; }
    h2 { font-size: 1.1rem; margin-top: 1.5rem; }
    .card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; }
    .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .6rem; }
    .figure { display: block; font-size: 1.6rem; font-weight: 700; }
    .chart { width: 100%; max-width: 720px; height: auto; background: var(--card); border: 1px solid var(--line); }
    .chart rect { fill: var(--accent); }
    .chart line { stroke: var(--muted); }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; width: 100%; background: var(--card); }
    th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; word-break: break-word; }
    th { font-weight: 600; color: var(--muted); }
    .filters { display: flex; flex-wrap: wrap; gap: .4rem; margin-bottom: .8rem; }
    input, select, button { font: inherit; padding: .3rem .5rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
    button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
    .login { max-width: 420px; display: grid; gap: .6rem; }
    .badge { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-size: .8rem; font-weight: 600; background: #e6ebf0; }
    .status-waiting { background: #fff2c6; } .status-processing { background: #d6e6ff; }
    .status-succeeded { background: #d5f5dd; } .status-failed { background: #ffd9d6; } .status-aborted { background: #e6e6e6; }
    .error { color: #a3221a; }
    .timeline { display: flex; flex-wrap: wrap; gap: .3rem 1.5rem; padding-left: 1.2rem; }
    dl.card dt { font-weight: 600; color: var(--muted); }
    dl.card dd { margin: 0 0 .5rem; white-space: pre-wrap; word-break: break-word; }
    .outputs, .thumbs { display: flex; flex-wrap: wrap; gap: .8rem; }
    figure { margin: 0; }
    img.output { max-width: min(100%, 360px); height: auto; border: 1px solid var(--line); }
    img.thumb { max-width: 120px; max-height: 120px; border: 1px solid var(--line); }
    pre { background: var(--card); border: 1px solid var(--line); padding: .6rem; overflow-x: auto; }
    .tabs a { margin-right: 1rem; } .tabs a.here { font-weight: 700; }
    form.inline { display: flex; flex-wrap: wrap; gap: .3rem; }
    .issued { border-color: #d4a72c; background: #fff8e1; margin-bottom: 1rem; }
    .issued code { word-break: break-all; }
    tr.totals th, tr.totals td { font-weight: 700; }
    """
}
