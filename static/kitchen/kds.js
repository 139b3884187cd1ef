/* The kitchen display's waiting times tick here, every second, so the server re-renders the board only
 * when a ticket changes (the board answers 304 otherwise: static/dashboard/live.js). Each badge carries
 * the seconds waited when it was rendered (data-waited) and when a ticket counts as late. */
(function () {
  "use strict";

  var board = document.getElementById("board");
  if (!board) return;
  var renderedAt = Date.now();

  function tick() {
    var passed = Math.floor((Date.now() - renderedAt) / 1000);
    board.querySelectorAll("[data-waited]").forEach(function (badge) {
      var seconds = Number(badge.dataset.waited) + passed;
      var seconds60 = seconds % 60;
      badge.textContent = Math.floor(seconds / 60) + ":" + (seconds60 < 10 ? "0" : "") + seconds60;
      var late = seconds >= Number(badge.dataset.lateAfter);
      badge.classList.toggle("danger", late);
      var ticket = badge.closest(".ticket");
      if (ticket) ticket.classList.toggle("late", late);
    });
  }

  // A new board (polled or after a Start/Bump) carries fresh waiting times: count on from them.
  board.addEventListener("live:updated", function () { renderedAt = Date.now(); });
  board.addEventListener("htmx:afterSwap", function () { renderedAt = Date.now(); });
  window.setInterval(tick, 1000);
})();
