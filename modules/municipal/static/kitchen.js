// The kitchen pages' print buttons. Printing needs script, so the buttons stay hidden
// (and the browser's own Print works as ever) unless this file runs.
"use strict";
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
