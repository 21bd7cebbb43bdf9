// Document editor helpers: Ctrl/Cmd-S saves; the JSON text editor reports syntax errors by line and column.
// Only validation happens here: numbers are never parsed into JavaScript values that get sent anywhere.
"use strict";
(function () {
  function lineAndColumn(text, position) {
    var before = text.slice(0, position);
    var lines = before.split("\n");
    return { line: lines.length, column: lines[lines.length - 1].length + 1 };
  }

  function describe(text, error) {
    var message = String(error && error.message || error);
    var match = /line (\d+) column (\d+)/i.exec(message);
    if (match) {
      return "Line " + match[1] + ", column " + match[2] + ": " + message.replace(/\s*\(line \d+ column \d+\)/i, "");
    }
    match = /position (\d+)/i.exec(message);
    if (match) {
      var where = lineAndColumn(text, Number(match[1]));
      return "Line " + where.line + ", column " + where.column + ": " + message;
    }
    return message;
  }

  function validate(textarea) {
    var status = document.getElementById(textarea.getAttribute("aria-describedby"));
    if (!status) { return; }
    try {
      JSON.parse(textarea.value);
      status.textContent = "Valid JSON.";
      status.classList.remove("invalid");
      textarea.removeAttribute("aria-invalid");
    } catch (error) {
      status.textContent = describe(textarea.value, error);
      status.classList.add("invalid");
      textarea.setAttribute("aria-invalid", "true");
    }
  }

  var timer = null;
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-json-text]")) {
      clearTimeout(timer);
      timer = setTimeout(function () { validate(target); }, 250);
    }
  });

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
      var form = document.querySelector("form[data-editor]");
      var save = form && form.querySelector("[data-save]");
      if (save) {
        event.preventDefault();
        form.requestSubmit(save);
      }
    }
  });

  function focusErrorLine() {
    var textarea = document.querySelector("[data-json-text][data-error-line]");
    if (!textarea) { return; }
    var line = Number(textarea.getAttribute("data-error-line"));
    var offset = textarea.value.split("\n").slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0);
    textarea.focus();
    textarea.setSelectionRange(offset, offset);
  }

  // The form's row buttons and type menus post through htmx from here instead of each carrying
  // hx-post and the URL, which was a third of every row's HTML. Without script they submit the form.
  function postEdit(source, values) {
    var form = source.closest("form[data-editor]");
    if (!form || !window.htmx) { return false; }
    window.htmx.ajax("post", form.getAttribute("action"),
      { source: source, target: "#editor", swap: "outerHTML", values: values || {} });
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[name=op]:not([hx-post])");
    if (button && postEdit(button)) { event.preventDefault(); }
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-retype]")) { postEdit(select, { op: "retype" }); }
  });

  document.addEventListener("DOMContentLoaded", focusErrorLine);
  document.addEventListener("htmx:afterSwap", focusErrorLine);
})();
