/* Organiser console: small enhancements over pages that work without JavaScript.
 *
 * - A form with data-confirm asks in a <dialog> before it is sent, then sends
 *   confirm=y.  Without JavaScript the server answers the unconfirmed post
 *   with a confirmation page instead, so both ways ask once.
 * - [data-print] buttons print the page (the QR poster, the key slips).
 * - A submit button with data-busy says so while its form is being handled
 *   (counting a large round takes a while) and cannot be pressed twice.
 * - Choosing a group to issue codes for fills in the count with what that
 *   group still needs (its option's data-count), unless none is known.
 * - Choosing a template fills in an empty title (or one the last template
 *   filled in) with the template's (its option's data-title).
 *
 * - A table wider than its card (.table-wrap) is marked "overflows", and the
 *   line above it saying that it scrolls sideways (.scroll-cue) is shown.
 *
 * Pages are swapped in by htmx (hx-boost), so listeners sit on document.
 */
(function () {
  "use strict";

  function ask(form) {
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    var text = document.createElement("p");
    text.textContent = form.getAttribute("data-confirm");
    var buttons = document.createElement("div");
    buttons.className = "buttons";
    var ok = document.createElement("button");
    ok.type = "button";
    ok.className = "primary";
    ok.textContent = form.getAttribute("data-ok") || "OK";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = form.getAttribute("data-cancel") || "Cancel";
    buttons.append(ok, cancel);
    dialog.append(text, buttons);
    document.body.append(dialog);
    dialog.addEventListener("close", function () { dialog.remove(); });
    cancel.addEventListener("click", function () { dialog.close(); });
    ok.addEventListener("click", function () {
      var confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "confirm";
      confirmed.value = "y";
      form.append(confirmed);
      form.dataset.confirmed = "1";
      dialog.close();
      form.requestSubmit();
    });
    dialog.showModal();
    cancel.focus();
  }

  // Capture phase: runs before htmx's handler on the form, so an unconfirmed
  // submit sends nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-confirm]") || form.dataset.confirmed) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(form);
  }, true);

  document.addEventListener("submit", function (event) {
    var button = event.target.querySelector("button[data-busy]");
    if (!button || event.defaultPrevented) return;
    button.disabled = true;
    button.textContent = button.getAttribute("data-busy");
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-fills]")) return;
    var option = select.options[select.selectedIndex];
    var target = document.getElementById(select.getAttribute("data-fills"));
    if (option && target && option.getAttribute("data-count")) {
      target.value = option.getAttribute("data-count");
    }
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-fills-title]")) return;
    var title = document.getElementById(select.getAttribute("data-fills-title"));
    var option = select.options[select.selectedIndex];
    if (!title || !option) return;
    var offered = option.getAttribute("data-title") || "";
    if (!title.value.trim() || title.value === title.dataset.filled) {
      title.value = offered;
      title.dataset.filled = offered;
    }
  });

  function showPrintButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
    });
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
  function markOverflow() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var overflows = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle("overflows", overflows);
      var cue = wrap.previousElementSibling;
      if (cue && cue.classList.contains("scroll-cue")) cue.classList.toggle("shown", overflows);
    });
  }

  function pageShown() {
    showPrintButtons();
    markOverflow();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", pageShown);
  } else {
    pageShown();
  }
  document.addEventListener("htmx:afterSettle", pageShown);
  window.addEventListener("resize", markOverflow);
})();
