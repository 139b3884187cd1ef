/* Live parts of the owner's pages (the insight feed, today's decisions): each element with
 * data-live-url is polled every second, as the kitchen display polls its board. The request carries
 * the version the page shows (If-None-Match: data-live-etag); the server answers 304 while nothing
 * changed (no rendering), or the part's new HTML and its ETag, which replaces the element's content.
 * A part is not replaced while the owner types in it or has one of its <details> open; it catches up
 * when they are done. No inline script: the page only names the URL and the version in data- attributes. */
(function () {
  "use strict";

  var INTERVAL_MS = 1000;

  function busy(el) {
    var active = document.activeElement;
    if (active && el.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) {
      return true;
    }
    return el.querySelector("details[open]") !== null;
  }

  function live(el) {
    var inFlight = false;

    function poll() {
      if (inFlight || document.hidden || busy(el)) {
        return;
      }
      inFlight = true;
      fetch(el.dataset.liveUrl, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { "If-None-Match": el.dataset.liveEtag || "", "X-Requested-With": "live" },
      })
        .then(function (response) {
          if (response.status !== 200) {
            return null; // 304: unchanged; anything else: try again next second
          }
          var etag = response.headers.get("ETag");
          return response.text().then(function (html) {
            if (busy(el)) {
              return; // the owner started typing meanwhile: keep the old version, fetch again later
            }
            el.innerHTML = html;
            if (etag) {
              el.dataset.liveEtag = etag;
            }
            if (window.htmx) {
              window.htmx.process(el);
            }
            el.dispatchEvent(new CustomEvent("live:updated", { bubbles: true }));
          });
        })
        .catch(function () {
          /* offline or the server restarting: the next tick tries again */
        })
        .finally(function () {
          inFlight = false;
        });
    }

    window.setInterval(poll, INTERVAL_MS);
    document.addEventListener("visibilitychange", poll);
  }

  function start() {
    document.querySelectorAll("[data-live-url]").forEach(live);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
