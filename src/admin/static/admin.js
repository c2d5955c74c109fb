// Small conveniences for the Bron editor UI; every page works without them.
// - Enter in a reference search runs that search instead of saving the form.
// - Focus moves to the message after a save or an error, for screen readers.
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key !== "Enter" || !t || !t.dataset || !t.dataset.find) return;
    e.preventDefault();
    var form = t.form;
    var b = document.createElement("input");
    b.type = "hidden"; b.name = "action"; b.value = t.dataset.find;
    form.appendChild(b);
    form.submit();
  });
  var note = document.getElementById("melding");
  if (note) note.focus();
})();
