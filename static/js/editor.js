// Document editor helpers: Ctrl/Cmd-S saves; the JSON text editor reports syntax errors by line and column.
// Only validation happens here: numbers are never parsed into JavaScript values that get sent anywhere.
"use strict";
(function () {
  function lineAndColumn(text, position) {
    var before = text.slice(0, position);
    var lines = before.split("\n");
    return { line: lines.length, column: lines[lines.length - 1].length + 1 };
  }

  // A JSON syntax check of our own, so every browser reports where the text goes wrong (Chromium's
  // JSON.parse often names no position). It only checks; it builds no values. No recursion: a stack.
  var NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  var STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  var LITERAL = /true|false|null/y;

  function syntaxProblem(text) {
    var at = 0;
    var stack = [];  // "{" or "[" for each open container
    var expect = "value";
    function skip() { while (at < text.length && " \t\n\r".indexOf(text[at]) >= 0) { at += 1; } }
    function match(pattern) { pattern.lastIndex = at; return pattern.exec(text) ? pattern.lastIndex : -1; }
    function problem(what) {
      var found = at < text.length ? "“" + text[at] + "”" : "the end of the text";
      return { position: at, message: what + ", found " + found + "." };
    }
    for (;;) {
      skip();
      if (expect === "value" || expect === "value-or-close") {
        var end = -1;
        if (text[at] === "]" && expect === "value-or-close") { stack.pop(); at += 1; expect = "after"; continue; }
        if (text[at] === "{") { stack.push("{"); at += 1; expect = "key-or-close"; continue; }
        if (text[at] === "[") { stack.push("["); at += 1; expect = "value-or-close"; continue; }
        if (text[at] === "\"") { end = match(STRING); if (end < 0) { return problem("A string is not closed or holds a bad escape"); } }
        else if (text[at] === "-" || (text[at] >= "0" && text[at] <= "9")) { end = match(NUMBER); }
        else { end = match(LITERAL); }
        if (end < 0) { return problem("Expected a value (string, number, object, array, true, false or null)"); }
        at = end;
        expect = "after";
      } else if (expect === "key" || expect === "key-or-close") {
        if (text[at] === "}" && expect === "key-or-close") { stack.pop(); at += 1; expect = "after"; continue; }
        if (text[at] !== "\"") { return problem("Expected a member name in double quotes"); }
        var keyEnd = match(STRING);
        if (keyEnd < 0) { return problem("A member name is not closed or holds a bad escape"); }
        at = keyEnd;
        skip();
        if (text[at] !== ":") { return problem("Expected “:” after the member name"); }
        at += 1;
        expect = "value";
      } else {  // after a value
        if (!stack.length) {
          return at < text.length ? problem("Expected the end of the text after the value") : null;
        }
        var open = stack[stack.length - 1];
        if (text[at] === ",") { at += 1; expect = open === "{" ? "key" : "value"; continue; }
        if ((open === "{" && text[at] === "}") || (open === "[" && text[at] === "]")) { stack.pop(); at += 1; continue; }
        return problem(open === "{" ? "Expected “,” or “}”" : "Expected “,” or “]”");
      }
    }
  }

  function describe(text) {
    var found = syntaxProblem(text);
    if (!found) { return null; }
    var where = lineAndColumn(text, found.position);
    return "Line " + where.line + ", column " + where.column + ": " + found.message;
  }

  function validate(textarea) {
    var status = document.getElementById(textarea.getAttribute("aria-describedby"));
    if (!status) { return; }
    var problem = describe(textarea.value);
    if (!problem) {
      status.textContent = "Valid JSON.";
      status.classList.remove("invalid");
      textarea.removeAttribute("aria-invalid");
    } else {
      status.textContent = problem;
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
    var column = Number(textarea.getAttribute("data-error-column") || 1);
    var offset = textarea.value.split("\n").slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0) + column - 1;
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
