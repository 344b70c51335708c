// Small enhancements on top of plain HTML; every page works without them.
(function () {
  "use strict";

  // Copy buttons are hidden until this script can make them work.
  function enableCopyButtons(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function announce(text) {
    var region = document.getElementById("messages");
    if (!region) return;
    var line = document.createElement("p");
    line.className = "message message-info";
    line.textContent = text;
    region.replaceChildren(line);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var value = button.getAttribute("data-copy");
    var done = function () {
      button.textContent = "Copied";
      announce("Copied " + value + " to the clipboard.");
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value).then(done, function () { announce("Could not copy; select the text instead."); });
    } else {
      // Plain http outside localhost has no clipboard API: fall back to a selection.
      var field = document.createElement("textarea");
      field.value = value;
      field.setAttribute("readonly", "");
      field.style.position = "absolute";
      field.style.left = "-9999px";
      document.body.appendChild(field);
      field.select();
      try { document.execCommand("copy"); done(); } catch (e) { announce("Could not copy; select the text instead."); }
      field.remove();
    }
  });

  // After htmx swaps a fragment, move focus to the element the server marked,
  // so keyboard and screen-reader users land on what changed.
  function focusMarked() {
    var target = document.querySelector("[data-focus]");
    if (!target) return;
    target.removeAttribute("data-focus");
    if (!target.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    enableCopyButtons(document);
    focusMarked();
  });

  // Refused requests (a stale page, a removed member) answer with an error page;
  // tell the user instead of silently doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    announce(status === 404 ? "That is no longer available; reload the page." : "Something went wrong (" + status + "); reload the page and try again.");
  });

  // Image uploads: show the progress of the request body as it leaves the browser.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest("form[data-upload]");
    if (!form || !event.detail.total) return;
    var percent = Math.floor(event.detail.loaded / event.detail.total * 100);
    var box = form.querySelector(".upload-progress");
    box.hidden = false;
    form.querySelector("progress").value = percent;
    form.querySelector(".upload-progress-text").textContent = percent === 100 ? "100 %: checking and storing…" : percent + " %";
  });

  // Refuse a file larger than the tenant may store before sending a byte of it
  // (the server refuses it too, but only after receiving up to the limit).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-upload]");
    if (!form) return;
    var file = form.querySelector("input[type=file]").files[0];
    if (file && file.size > Number(form.getAttribute("data-limit"))) {
      event.preventDefault();
      announce(file.name + " is larger than the " + form.getAttribute("data-limit-text") + " you may store now; nothing was uploaded.");
      return;
    }
    form.querySelector("button[type=submit]").disabled = true;
  });

  document.addEventListener("DOMContentLoaded", function () {
    enableCopyButtons(document);
    focusMarked();
  });
})();
