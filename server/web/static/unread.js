// Keeps the header's count of unread notifications current while a page stays open: asks
// GET /me/unread every data-every seconds and whenever the tab comes back into view. Without
// this script the count is still right each time a page loads.
(function () {
  "use strict";
  var link = document.querySelector("a[data-unread]");
  if (!link || !window.fetch) {
    return;
  }
  var count = link.querySelector(".unread-count");
  var every = Number(link.getAttribute("data-every")) || 60;

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

  window.setInterval(check, every * 1000);
  window.addEventListener("focus", check);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      check();
    }
  });
})();
