// Source reader: turn a text selection into a quote (offsets in code points).
//
// Selecting a passage inside #source-text (mouse, keyboard with caret browsing, touch) fills the
// evidence form beside the text: a preview, and hidden fields with the exact text and its start
// and end as Unicode code point offsets into the source, which is what the server stores.
// Browsers count UTF-16 units, so an emoji (two units) is converted to one code point here.
// Without this script the form still works: its "Quote" box takes a pasted passage.
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;
  var debounceTimer = null;

  function sourceText() {
    return document.getElementById("source-text");
  }

  function panelForm() {
    return document.querySelector("[data-evidence-form]");
  }

  function isHigh(code) { return code >= 0xd800 && code <= 0xdbff; }
  function isLow(code) { return code >= 0xdc00 && code <= 0xdfff; }

  // Code points in text.slice(0, units): a surrogate pair counts once.
  function codePoints(text, units) {
    var count = 0;
    for (var i = 0; i < units; i++) {
      if (isHigh(text.charCodeAt(i)) && i + 1 < units && isLow(text.charCodeAt(i + 1))) {
        i++;
      }
      count++;
    }
    return count;
  }

  // UTF-16 offset of a DOM point from the start of root (Range.toString counts text nodes only,
  // exactly like textContent).
  function unitsBefore(root, node, offset) {
    var range = document.createRange();
    range.setStart(root, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  // The selection inside root as {exact, start, end} in code points, or null. A selection that
  // spills outside the text is cut to it; white space at either end is left out.
  function selectedPassage(root) {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    var range = selection.getRangeAt(0);
    var whole = document.createRange();
    whole.selectNodeContents(root);
    var text = root.textContent;
    var startPlace = whole.comparePoint(range.startContainer, range.startOffset);
    var endPlace = whole.comparePoint(range.endContainer, range.endOffset);
    if (startPlace > 0 || endPlace < 0) return null; // entirely after or before the text
    var from = startPlace < 0 ? 0 : unitsBefore(root, range.startContainer, range.startOffset);
    var to = endPlace > 0 ? text.length : unitsBefore(root, range.endContainer, range.endOffset);
    // Never split a surrogate pair (possible when extending a selection by keyboard).
    if (from > 0 && isLow(text.charCodeAt(from)) && isHigh(text.charCodeAt(from - 1))) from--;
    if (to < text.length && isLow(text.charCodeAt(to)) && isHigh(text.charCodeAt(to - 1))) to++;
    while (from < to && /\s/.test(text.charAt(from))) from++;
    while (to > from && /\s/.test(text.charAt(to - 1))) to--;
    if (from >= to) return null;
    var start = codePoints(text, from);
    return { exact: text.slice(from, to), start: start, end: start + codePoints(text.slice(from, to), to - from) };
  }

  function field(form, name) {
    return form.querySelector("[data-evidence-" + name + "]");
  }

  function openForm(form) {
    form.hidden = false;
    var opener = document.querySelector("[data-evidence-opener]");
    if (opener) opener.hidden = true;
  }

  function useSelection(form, passage, moveFocus) {
    var same = field(form, "start").value === String(passage.start) && field(form, "end").value === String(passage.end);
    if (!same) {
      field(form, "exact").value = passage.exact;
      field(form, "start").value = passage.start;
      field(form, "end").value = passage.end;
      field(form, "preview").textContent = passage.exact;
      field(form, "selection").hidden = false;
      field(form, "paste").hidden = true;
      form.querySelector("textarea[name=quote]").disabled = true;
      var length = passage.end - passage.start;
      field(form, "status").textContent =
        "Selected " + length + " character" + (length === 1 ? "" : "s") + " to quote. Now choose the node it bears on.";
    }
    openForm(form);
    if (moveFocus) {
      var search = form.querySelector("#evidence-q");
      if (search) search.focus();
    }
  }

  function pasteInstead(form) {
    field(form, "exact").value = "";
    field(form, "start").value = "";
    field(form, "end").value = "";
    field(form, "selection").hidden = true;
    field(form, "paste").hidden = false;
    field(form, "status").textContent = "";
    var quote = form.querySelector("textarea[name=quote]");
    quote.disabled = false;
    openForm(form);
    quote.focus();
  }

  function captureSelection(moveFocus) {
    var root = sourceText();
    var form = panelForm();
    if (!root || !form) return;
    var passage = selectedPassage(root);
    // A collapsed or outside selection (a click, typing in the form) leaves the form as it is.
    if (passage) useSelection(form, passage, moveFocus);
  }

  function later(moveFocus) {
    window.clearTimeout(debounceTimer);
    debounceTimer = window.setTimeout(function () { captureSelection(moveFocus); }, DEBOUNCE_MS);
  }

  // Shows the form closed (just a hint) until a passage is selected, unless the server sent it
  // open (errors, a search without JavaScript). Called for the page and for each htmx swap.
  function setUp(scope) {
    var form = scope.querySelector ? scope.querySelector("[data-evidence-form]") : null;
    if (!form && scope.matches && scope.matches("[data-evidence-form]")) form = scope;
    if (form && !form.dataset.ready) {
      form.dataset.ready = "true";
      var opener = document.querySelector("[data-evidence-opener]");
      if (!form.hasAttribute("data-open") && opener && sourceText()) {
        form.hidden = true;
        opener.hidden = false;
      }
    }
    var errors = scope.querySelector ? scope.querySelector("#evidence-errors") : null;
    if (errors && scope !== document && scope !== document.body) errors.focus();
  }

  document.addEventListener("selectionchange", function () { later(false); });

  // A mouse selection that began in the text ends wherever the button is released.
  var selectingWithMouse = false;
  document.addEventListener("mousedown", function (event) {
    var root = sourceText();
    selectingWithMouse = Boolean(root && root.contains(event.target));
  });
  document.addEventListener("mouseup", function () {
    if (!selectingWithMouse) return;
    selectingWithMouse = false;
    // After the click that may follow, so the click handler below still sees the selection.
    window.setTimeout(function () { captureSelection(true); }, 0);
  });

  document.addEventListener("keyup", function (event) {
    if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")) return;
    // Releasing Shift ends a keyboard selection (shift+arrows): then the form takes the focus.
    if (event.key === "Shift") captureSelection(true);
    else later(false);
  });

  // A drag that starts and ends on the same highlight would also "click" its link: keep the
  // selection instead of following it.
  document.addEventListener("click", function (event) {
    var root = sourceText();
    if (!root || !root.contains(event.target)) return;
    if (selectedPassage(root)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-evidence-paste-instead]");
    var form = panelForm();
    if (button && form) pasteInstead(form);
  });

  // The evidence views answer a refused submission with the form and its errors (status 400):
  // show it in place instead of leaving the old form up.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.id === "evidence-panel") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:load", function (event) { setUp(event.detail.elt); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
