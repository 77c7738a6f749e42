// Keeps the header's count of unread notifications current while a page stays open: the
// same-origin websocket (data-live) says when a notification arrives, and the count is then
// asked again (data-unread, JSON). Without a websocket it asks every data-every seconds; and
// always when the tab comes back into view. Without this script the count is still right each
// time a page loads.
(function () {
  "use strict";
  var link = document.querySelector("a[data-unread]");
  if (!link || !window.fetch) {
    return;
  }
  var count = link.querySelector(".unread-count");
  var every = Number(link.getAttribute("data-every")) || 60;
  var live = null;
  var tries = 0;

  function show(unread) {
    count.textContent = String(unread);
    count.hidden = unread === 0;
    link.setAttribute("aria-label", unread ? unread + " 条未读通知" : "没有未读通知");
  }

  function check() {
    fetch(link.getAttribute("data-unread"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && typeof answer.unread === "number") {
          show(answer.unread);
        }
      })
      .catch(function () {
        // Offline for a moment: the next check, or the next page, tells.
      });
  }

  function follow() {
    var path = link.getAttribute("data-live");
    if (!path || !window.WebSocket) {
      return;
    }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    live = new WebSocket(scheme + window.location.host + path);
    live.onopen = function () {
      tries = 0;
      link.setAttribute("data-following", "yes");
    };
    live.onmessage = check;
    live.onclose = function (event) {
      live = null;
      link.removeAttribute("data-following");
      // Signed out (4401) or refused (4403): the next page tells. Else try again, later
      // each time; meanwhile the regular check covers.
      if (event.code !== 4401 && event.code !== 4403 && tries < 5) {
        tries += 1;
        window.setTimeout(follow, tries * every * 1000);
      }
    };
  }

  window.setInterval(function () {
    if (live === null) {
      check();
    }
  }, every * 1000);
  window.addEventListener("focus", check);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      check();
    }
  });
  follow();
})();
