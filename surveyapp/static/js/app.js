/* surveyapp: small enhancements on top of pages that work without JavaScript.
 *
 * - Ballot: a live "graded 7/12" count, and a review step that stops a submit
 *   with ungraded subjects and lists them (the server would refuse it too).
 * - A grade capped per ballot (优秀 at most N): a live "优秀 n/N" count, and
 *   the tap that would go over is refused where it happens, with a note on
 *   that card (without JavaScript the server refuses the ballot, saying so).
 * - Answers kept on the phone, never sent before the ballot is: each choice
 *   and the comment go to sessionStorage under the form's data-keep (the
 *   round and a random sheet number the session holds, tied to no code), so
 *   a reload or a language switch restores them; any other sheet's are
 *   dropped (a shared phone shows nobody the last voter's), and all are
 *   erased once a page says the ballot is over (data-ballot-over: cast, or
 *   refused after a submit).
 * - The receipt: a copy button (data-copy) where the clipboard can be used.
 * - Any htmx request that fails (network down, timeout, server error) leaves
 *   the page as it was, with everything entered, and says so with a retry.
 * - Without htmx, a second tap on submit is ignored while the first is sent.
 *
 * Every page is swapped in by htmx (hx-boost), so listeners sit on document.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var lastFailed = null;  // the form whose request failed, for "Try again"
  var KEPT = "surveyapp:ballot:";

  function storage() {
    try {
      return window.sessionStorage;
    } catch (e) {  // storage switched off: answers are simply not kept
      return null;
    }
  }

  function keptKeys() {
    var store = storage();
    var keys = [];
    for (var i = 0; store && i < store.length; i++) {
      if (store.key(i).indexOf(KEPT) === 0) keys.push(store.key(i));
    }
    return keys;
  }

  function forget(except) {
    var store = storage();
    keptKeys().forEach(function (key) { if (key !== except) store.removeItem(key); });
  }

  function keep(form) {
    var store = storage();
    if (!store || !form.dataset.keep) return;
    var answers = {};
    form.querySelectorAll("input[type=radio]:checked").forEach(function (input) {
      answers[input.name] = input.value;
    });
    var comment = form.querySelector("textarea[name=comment]");
    if (comment && comment.value) answers.comment = comment.value;
    try {
      store.setItem(KEPT + form.dataset.keep, JSON.stringify(answers));
    } catch (e) { /* full or refused: nothing is lost but the convenience */ }
  }

  // Put back what this sheet kept, where the page has no answer of its own
  // (a refused submit comes back from the server with the answers it got).
  function restore(form) {
    var store = storage();
    if (!store || !form.dataset.keep) return;
    var key = KEPT + form.dataset.keep;
    forget(key);
    var answers;
    try {
      answers = JSON.parse(store.getItem(key) || "{}");
    } catch (e) {
      answers = {};
    }
    Object.keys(answers).forEach(function (name) {
      if (name === "comment") {
        var comment = form.querySelector("textarea[name=comment]");
        if (comment && !comment.value) comment.value = answers.comment;
        return;
      }
      var group = form.querySelectorAll('input[type=radio][name="' + name + '"]');
      var chosen = null;
      group.forEach(function (input) {
        if (input.checked) chosen = input;
      });
      if (chosen) return;
      group.forEach(function (input) {
        if (input.value === answers[name]) input.checked = true;
      });
    });
  }

  function ballotForm() {
    return document.querySelector("form.ballot-form");
  }

  // A subject card is answered when each of its criteria has a grade.
  function isAnswered(card) {
    var parts = card.classList.contains("subject") ? card.querySelectorAll(".question") : [card];
    for (var i = 0; i < parts.length; i++) {
      if (!parts[i].querySelector("input:checked")) return false;
    }
    return parts.length > 0;
  }

  // Update the count, the review list and the "next" link; return what is
  // still to do as a list of card elements.
  function refresh() {
    var form = ballotForm();
    if (!form) return [];
    var cards = form.querySelectorAll("fieldset.subject, fieldset.group-choice");
    var todo = [];
    var done = 0;
    var total = 0;
    cards.forEach(function (card) {
      var answered = isAnswered(card);
      var item = form.querySelector('[data-todo="' + card.id + '"]');
      if (item) item.hidden = answered;
      if (card.classList.contains("subject")) {
        total += 1;
        if (answered) done += 1;
      }
      if (answered) {
        card.classList.remove("missing");
      } else {
        todo.push(card);
      }
    });
    form.querySelectorAll("[data-done]").forEach(function (el) { el.textContent = done; });
    refreshLimits(form);
    var meter = form.querySelector(".progress progress");
    if (meter) meter.value = done;
    var next = form.querySelector("[data-next]");
    if (next) {
      next.hidden = todo.length === 0;
      if (todo.length) next.setAttribute("href", "#" + todo[0].id);
    }
    var review = form.querySelector("[data-review]");
    if (review) {
      review.hidden = false;
      review.querySelector("[data-review-todo]").hidden = todo.length === 0;
      review.querySelector("[data-review-done]").hidden = todo.length > 0 || total === 0;
      if (todo.length === 0) review.querySelector("[data-review-blocked]").hidden = true;
    }
    return todo;
  }

  // How many have ``option`` on the criterion where most have it, and on
  // criterion ``only`` (the name's last part, "q-<subject>-<criterion>").
  function limitCount(form, option, only) {
    var per = {};
    form.querySelectorAll('fieldset.subject input[type=radio]:checked').forEach(function (input) {
      if (input.value !== option) return;
      var criterion = input.name.split("-")[2];
      per[criterion] = (per[criterion] || 0) + 1;
    });
    if (only !== undefined) return per[only] || 0;
    var most = 0;
    Object.keys(per).forEach(function (c) { most = Math.max(most, per[c]); });
    return most;
  }

  function refreshLimits(form) {
    form.querySelectorAll("[data-limit-count]").forEach(function (box) {
      var n = limitCount(form, box.getAttribute("data-option"));
      box.querySelector("[data-limit-done]").textContent = n;
      box.classList.toggle("over", n > Number(box.getAttribute("data-allowed")));
    });
  }

  function clearLimitNotes(form) {
    form.querySelectorAll(".limit-note").forEach(function (note) { note.remove(); });
  }

  // Capture phase, before the radio's change: a tap that would give a capped
  // grade to one more than allowed is cancelled (the radio keeps its state).
  document.addEventListener("click", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("form.ballot-form input[data-limit]")) return;
    var form = input.closest("form");
    var box = form.querySelector('[data-limit-count="' + input.getAttribute("data-limit") + '"]');
    if (!box) return;
    clearLimitNotes(form);
    var criterion = input.name.split("-")[2];
    if (limitCount(form, input.value, criterion) <= Number(box.getAttribute("data-allowed"))) return;
    event.preventDefault();
    var note = document.createElement("p");
    note.className = "error limit-note";
    note.setAttribute("role", "alert");
    note.textContent = box.getAttribute("data-refuse");
    input.closest(".question").append(note);
  }, true);

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form.ballot-form");
    if (!form) return;
    clearLimitNotes(form);
    keep(form);
    refresh();
  });

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form.ballot-form");
    if (form && event.target.name === "comment") keep(form);
  });

  // Capture phase: runs before htmx's own submit handler on the form, so a
  // stopped submit sends nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form.ballot-form")) return;
    var todo = refresh();
    if (todo.length) {
      event.preventDefault();
      event.stopPropagation();
      todo.forEach(function (card) { card.classList.add("missing"); });
      var review = form.querySelector("[data-review]");
      review.querySelector("[data-review-blocked]").hidden = false;
      review.querySelector("h2").focus();
      return;
    }
    if (!window.htmx) {  // htmx guards its own requests (hx-sync, hx-disabled-elt)
      if (form.dataset.sending) {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "1";
    }
  }, true);

  function showFailure(event) {
    var elt = event.detail && event.detail.elt;
    lastFailed = elt && elt.closest ? elt.closest("form") : null;
    var toast = document.getElementById("send-failed");
    if (!toast) return;
    toast.querySelector("[data-retry]").hidden = !lastFailed;
    toast.hidden = false;
  }

  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, showFailure);
  });

  document.addEventListener("htmx:beforeRequest", function () {
    var toast = document.getElementById("send-failed");
    if (toast) toast.hidden = true;
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var text = document.getElementById(copy.getAttribute("data-copy")).textContent.trim();
      var status = document.querySelector("[data-copy-status]");
      navigator.clipboard.writeText(text).then(function () {
        if (status) status.textContent = copy.getAttribute("data-copied");
      }, function () {
        // Refused: select it, so the phone's own copy is one tap away.
        var range = document.createRange();
        range.selectNodeContents(document.getElementById(copy.getAttribute("data-copy")));
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
      });
      return;
    }
    // A link into a closed <details> (the privacy note) opens it.
    var link = event.target.closest('a[href^="#"]');
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    var details = target && target.closest("details");
    if (details) details.open = true;
    if (event.target.closest("[data-dismiss]")) document.getElementById("send-failed").hidden = true;
    if (!event.target.closest("[data-retry]")) return;
    document.getElementById("send-failed").hidden = true;
    if (lastFailed && document.body.contains(lastFailed)) {
      if (lastFailed.requestSubmit) lastFailed.requestSubmit();
      else lastFailed.querySelector("[type=submit]").click();
    }
  });

  function pageShown() {
    var form = ballotForm();
    if (form) restore(form);
    if (document.querySelector("[data-ballot-over]")) forget(null);
    if (navigator.clipboard) {
      document.querySelectorAll("[data-copy]").forEach(function (b) { b.hidden = false; });
    }
    refresh();
    // A refused submit comes back with its problems at the top: go there.
    var problems = document.getElementById("problems");
    if (problems) problems.focus();
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.target === document.body) pageShown();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", pageShown);
  } else {
    pageShown();
  }
})();
