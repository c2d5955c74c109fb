// Small conveniences for the Bron editor UI; every page works without them.
// - Enter in a reference search runs that search instead of saving the form.
// - Focus moves to the message after a save or an error, for screen readers.
// - The previews follow the text as it is typed.
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

  // Live preview: a moment after typing stops, the form is sent as if
  // "Voorbeeld bijwerken" were pressed (which saves nothing) and the
  // previews are swapped for the new ones.
  var form = document.querySelector("form.edit");
  var pane = document.querySelector("aside.previews");
  if (!form || !pane || !window.fetch || !window.DOMParser) return;
  var timer = null, busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var data = new URLSearchParams(new FormData(form));
    data.set("action", "preview");
    // getAttribute: `form.action` is the button named "action".
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("aside.previews");
        if (fresh) pane.innerHTML = fresh.innerHTML;
        pane.setAttribute("data-updated", String(Date.now()));
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }
  form.addEventListener("input", function (e) {
    if (e.target && e.target.name && e.target.name.indexOf("f.") === 0) {
      clearTimeout(timer);
      timer = setTimeout(refresh, 700);
    }
  });
})();
