// Drag-and-drop and file-picker uploads with a progress bar and a Cancel button per file.
// Files go one after another so each upload starts from the document's newest revision.
"use strict";
(function () {
  function csrfToken(form) {
    var input = form && form.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function humanSize(bytes) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"];
    var size = bytes;
    var unit = 0;
    while (size >= 1024 && unit < units.length - 1) { size /= 1024; unit += 1; }
    return unit === 0 ? size + " B" : size.toFixed(1) + " " + units[unit];
  }

  function queueFor(zone) {
    var queue = document.getElementById("upload-queue");
    if (!queue) {
      queue = document.createElement("ul");
      queue.id = "upload-queue";
      queue.className = "upload-queue";
      queue.setAttribute("aria-live", "polite");
      zone.insertAdjacentElement("afterend", queue);
    }
    return queue;
  }

  function queueItem(queue, file) {
    var item = document.createElement("li");
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name + " (" + humanSize(file.size) + ")";
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload of " + file.name);
    var status = document.createElement("span");
    status.className = "upload-status";
    status.textContent = "waiting";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = "Cancel";
    cancel.setAttribute("aria-label", "Cancel upload of " + file.name);
    item.append(name, bar, status, cancel);
    queue.appendChild(item);
    return { item: item, bar: bar, status: status, cancel: cancel, cancelled: false, xhr: null };
  }

  function uploadOne(url, rev, file, token, entry, replace) {
    return new Promise(function (resolve, reject) {
      if (entry.cancelled) { reject(new Error("cancelled")); return; }
      var xhr = new XMLHttpRequest();
      entry.xhr = xhr;
      var body = new FormData();
      body.append("rev", rev || "");
      body.append("files", file, file.name);
      if (replace) { body.append("replace", "on"); }
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          entry.bar.value = Math.round((event.loaded / event.total) * 100);
          entry.status.textContent = "sending " + entry.bar.value + "%";
        }
      });
      // Every byte has reached the dashboard; CouchDB may take a while longer to store a large file.
      xhr.upload.addEventListener("load", function () {
        entry.bar.removeAttribute("value");
        entry.status.textContent = "sent; CouchDB is storing it…";
      });
      xhr.addEventListener("load", function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (error) { answer = {}; }
        if (xhr.status >= 200 && xhr.status < 300 && answer.ok) { resolve(answer); }
        else {
          var failure = new Error(answer.error || ("The upload failed (" + xhr.status + ")."));
          failure.exists = answer.exists || "";
          reject(failure);
        }
      });
      xhr.addEventListener("error", function () { reject(new Error("The connection failed; nothing was stored.")); });
      xhr.addEventListener("abort", function () { reject(new Error("cancelled")); });
      entry.status.textContent = "0%";
      xhr.send(body);
    });
  }

  function keepEditorInStep(result) {
    // An open editor that started from the revision this upload started from moves on with it,
    // so its unsaved edits save cleanly; if someone else changed the document, Save shows the conflict.
    var editor = document.querySelector("form[data-editor]");
    var base = editor && editor.querySelector("[name=base_rev]");
    if (base && !result.moved && base.value === result.started_from) {
      base.value = result.rev;
      editor.querySelector("[name=attachments]").value = result.attachments;
    }
  }

  function offerReplace(target, file, token, entry) {
    // The name is taken: say what would be replaced, and replace only when asked.
    var again = document.createElement("button");
    again.type = "button";
    again.textContent = "Replace it";
    again.setAttribute("aria-label", "Replace the attachment " + entry.exists + " with " + file.name);
    entry.item.appendChild(again);
    again.addEventListener("click", async function () {
      again.remove();
      entry.item.classList.remove("failed");
      try {
        var result = await uploadOne(target.url, target.rev, file, token, entry, true);
        target.rev = result.rev;
        keepEditorInStep(result);
        entry.bar.value = 100;
        entry.status.textContent = "stored (replaced " + entry.exists + ")";
      } catch (error) {
        entry.status.textContent = error.message;
        entry.item.classList.add("failed");
      }
      await refresh(target.zone);
    });
  }

  async function uploadAll(target, files, token) {
    var queue = queueFor(target.zone);
    var entries = Array.prototype.map.call(files, function (file) {
      var entry = queueItem(queue, file);
      entry.cancel.addEventListener("click", function () {
        entry.cancelled = true;
        if (entry.xhr) { entry.xhr.abort(); }
      });
      return { file: file, entry: entry };
    });
    for (var i = 0; i < entries.length; i += 1) {
      var entry = entries[i].entry;
      try {
        var result = await uploadOne(target.url, target.rev, entries[i].file, token, entry, target.replace);
        target.rev = result.rev;
        keepEditorInStep(result);
        entry.bar.value = 100;
        entry.status.textContent = "stored";
      } catch (error) {
        entry.status.textContent = error.message === "cancelled" ? "cancelled — nothing stored" : error.message;
        entry.item.classList.add("failed");
        if (error.exists) {
          entry.exists = error.exists;
          offerReplace(target, entries[i].file, token, entry);
        }
      }
      entry.cancel.disabled = true;
    }
    return target;
  }

  // Refreshes run one after another: a "Replace it" may be clicked while the refresh after the refused upload
  // is still on its way, and that older answer must not be painted over the newer one.
  var refreshing = Promise.resolve();

  function refresh(zone) {
    refreshing = refreshing.then(function () { return refreshNow(zone); }, function () { return refreshNow(zone); });
    return refreshing;
  }

  function refreshNow(zone) {
    if (!window.htmx) { return Promise.resolve(); }
    var loads = [];
    if (zone.dataset.listUrl) {
      // Each request comes from its own element: from the body, htmx keeps only the last of queued requests.
      loads.push(window.htmx.ajax("GET", zone.dataset.listUrl,
                                  { source: "#attachments", target: "#attachments", swap: "outerHTML" }));
    }
    // The document page's rev, counts and Delete link move on with the upload.
    var head = document.querySelector("[data-document-head]");
    if (head) {
      loads.push(window.htmx.ajax("GET", head.dataset.refreshUrl,
                                  { source: "#document-head", target: "#document-head", swap: "outerHTML" }));
    }
    return Promise.all(loads);
  }

  async function toDocument(zone, files) {
    var form = zone.querySelector("form[data-upload-form]");
    var replace = form && form.querySelector("[name=replace]");
    var target = { zone: zone, url: zone.dataset.uploadUrl, rev: zone.dataset.rev, replace: !!(replace && replace.checked) };
    await uploadAll(target, files, csrfToken(form));
    await refresh(zone);
  }

  async function toNewDocument(zone, files) {
    var form = zone.querySelector("form");
    var token = csrfToken(form);
    var response = await fetch(zone.dataset.createUrl, {
      method: "POST", headers: { "X-CSRFToken": token, "Accept": "application/json" }, credentials: "same-origin",
      body: new URLSearchParams({ files_follow: String(files.length) })
    });
    var created = await response.json();
    await uploadAll({ zone: zone, url: created.upload_url, rev: created.rev }, files, token);
    window.location.assign(created.document_url);
  }

  function handle(zone, files) {
    if (!files || !files.length) { return; }
    if (zone.hasAttribute("data-create-url")) { toNewDocument(zone, files); }
    else { toDocument(zone, files); }
  }

  document.addEventListener("dragover", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (zone) { event.preventDefault(); zone.classList.add("dragging"); }
  });
  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (zone) { zone.classList.remove("dragging"); }
  });
  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (zone) {
      event.preventDefault();
      zone.classList.remove("dragging");
      handle(zone, event.dataTransfer && event.dataTransfer.files);
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var zone = form.closest && form.closest("[data-dropzone]");
    if (zone && form.matches("[data-upload-form]")) {
      event.preventDefault();
      var input = form.querySelector("input[type=file]");
      handle(zone, input.files);
      input.value = "";
    }
  });
})();
