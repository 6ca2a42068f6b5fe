// The admin's "Import reports" page.
// Upload: say that the files are being read while the preview is prepared.
// Preview: import the files one at a time (one POST each) and show the progress, then go
// to the result. Without this script the form posts once and the server imports them all.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var upload = document.getElementById("import-upload-form");
  if (upload) {
    upload.addEventListener("submit", function () {
      var busy = document.getElementById("import-upload-busy");
      if (busy) {
        busy.hidden = false;
      }
      var button = upload.querySelector("input[type=submit]");
      // Disabled once the submission has started (a disabled button would not submit).
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  }

  var form = document.getElementById("import-confirm-form");
  var progress = document.getElementById("import-progress");
  if (!form || !progress || !window.fetch || !window.FormData) {
    return;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var buttons = form.querySelectorAll("input[type=submit], button");
    Array.prototype.forEach.call(buttons, function (button) { button.disabled = true; });
    Array.prototype.forEach.call(form.querySelectorAll("input[name=confirm]"), function (box) {
      box.disabled = true;
    });
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var items = Array.prototype.slice.call(progress.querySelectorAll("li[data-url]"));
    progress.hidden = false;
    progress.scrollIntoView({ block: "center" });

    function run(index) {
      if (index >= items.length) {
        progress.setAttribute("data-done", "true");
        window.location.assign(form.getAttribute("data-result-url"));
        return;
      }
      var item = items[index];
      var state = item.querySelector(".import-state");
      item.className = "import-running";
      state.textContent = progress.getAttribute("data-text-running");
      var body = new FormData();
      body.append("csrfmiddlewaretoken", token);
      var box = document.getElementById("confirm-" + item.getAttribute("data-file"));
      if (box && box.checked) {
        body.append("confirm", item.getAttribute("data-file"));
      }
      fetch(item.getAttribute("data-url"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (outcome) {
          item.className = "import-" + outcome.state;
          state.textContent = outcome.text;
        })
        .catch(function () {
          item.className = "import-failed";
          state.textContent = progress.getAttribute("data-text-error");
        })
        .then(function () { run(index + 1); });
    }

    run(0);
  });
});
