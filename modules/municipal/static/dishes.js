// The dish form's allergen radio follows the boxes: ticking an allergen means "contains the
// ticked ones". Without this script the form still works; the server then names a mismatch.
(function () {
  "use strict";
  var listed = document.getElementById("allergen-state-listed");
  if (!listed) {
    return;
  }
  var boxes = document.querySelectorAll(".allergen-boxes input[type=checkbox]");
  Array.prototype.forEach.call(boxes, function (box) {
    box.addEventListener("change", function () {
      if (box.checked) {
        listed.checked = true;
      }
    });
  });
})();
