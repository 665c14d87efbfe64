// Optional progressive enhancement: every page reads without this script.
// It watches the log's published checkpoint and, when the log has grown
// past the entries this page was rendered from, offers to reload. It
// loads nothing from elsewhere and sends nothing but GET /api/v1/log.
(function () {
  "use strict";
  var shown = Number(document.body.dataset.applied || "0");
  var live = document.getElementById("live");
  if (!live || !window.fetch) return;
  function check() {
    fetch("/api/v1/log", { cache: "no-cache" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (log) {
        if (log && log.size > shown) {
          live.hidden = false;
          live.textContent = "";
          var a = document.createElement("a");
          a.href = window.location.href;
          var msg = document.documentElement.dataset.reloadMsg || "The log has N new entries: reload for the latest results.";
          a.textContent = msg.replace("N", String(log.size - shown));
          live.appendChild(a);
        }
      })
      .catch(function () {});
  }
  window.setInterval(check, 15000);
})();

// Zoom: a tap on a scanned form shows it at full size in place (without
// the script, the link opens the image).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var img = e.target.closest && e.target.closest("img[data-zoom]");
    if (!img) return;
    e.preventDefault();
    img.classList.toggle("zoom");
    var box = img.closest("figure");
    if (box) box.classList.toggle("zoomed");
  });
})();
