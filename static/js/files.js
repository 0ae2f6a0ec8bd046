// Files on the card page: drop files or paste an image to attach them. The page works
// without this script (the files section's form, the comment form's file field); this
// adds drag and drop, pasting (Ctrl/Cmd+V) and uploading without leaving the page.
//
// Onto the comment form (or pasted while writing a comment): the files join the
// comment's file field and go with the comment. Anywhere else on the page: they are
// uploaded to the card at once and the files section is drawn again from the answer.
(function () {
  "use strict";

  function section() {
    return document.getElementById("attachments");
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function status(text) {
    const box = section() && section().querySelector(".upload-status");
    if (box) box.textContent = text;
  }

  // A pasted screenshot has no name of its own ("image.png"): name it by the moment.
  function named(file) {
    if (file.name && file.name !== "image.png") return file;
    const now = new Date();
    const pad = function (n) { return String(n).padStart(2, "0"); };
    const stamp = now.getFullYear() + pad(now.getMonth() + 1) + pad(now.getDate()) + "-" +
      pad(now.getHours()) + pad(now.getMinutes()) + pad(now.getSeconds());
    const extension = (file.type.split("/")[1] || "png").replace("jpeg", "jpg");
    return new File([file], "screenshot-" + stamp + "." + extension, { type: file.type });
  }

  function tooLarge(files) {
    const box = section();
    const limit = Number(box.dataset.maxBytes || 0);
    const refused = files.filter(function (file) { return limit && file.size > limit; });
    return refused.map(function (file) { return box.dataset.tooLarge.replace("{name}", file.name); });
  }

  function upload(files) {
    const box = section();
    if (!box || !box.dataset.uploadUrl || !files.length) return;
    const refused = tooLarge(files);
    if (refused.length) {
      status(refused.join(" "));
      return;
    }
    const body = new FormData();
    files.forEach(function (file) { body.append("files", file); });
    status(box.dataset.uploading);
    fetch(box.dataset.uploadUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
    }).then(function (response) {
      const type = response.headers.get("Content-Type") || "";
      if (!type.startsWith("text/html")) throw new Error(String(response.status));
      return response.text();
    }).then(function (html) {
      const focused = document.activeElement && document.activeElement.closest("#attachments");
      section().outerHTML = html;
      if (focused) section().querySelector("h2").focus();
    }).catch(function () {
      status(box.dataset.failed);
    });
  }

  // The comment's file field takes the files beside those already chosen.
  function addToComment(form, files) {
    const input = form.querySelector("input[type=file]");
    if (!input) return false;
    const all = new DataTransfer();
    Array.from(input.files).forEach(function (file) { all.items.add(file); });
    files.forEach(function (file) { all.items.add(file); });
    input.files = all.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  function place(target, files) {
    const comment = target && target.closest && target.closest(".comment-form");
    if (comment && addToComment(comment, files)) return;
    upload(files);
  }

  function filesOf(transfer) {
    if (!transfer) return [];
    return Array.from(transfer.files || []).map(named);
  }

  function carriesFiles(event) {
    return event.dataTransfer && Array.from(event.dataTransfer.types || []).indexOf("Files") !== -1;
  }

  let highlighted = null;
  function highlight(element) {
    if (highlighted === element) return;
    if (highlighted) highlighted.classList.remove("drop-target");
    highlighted = element;
    if (element) element.classList.add("drop-target");
  }

  document.addEventListener("dragover", function (event) {
    if (!carriesFiles(event) || !section()) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    highlight(event.target.closest(".comment-form") || section());
  });
  document.addEventListener("dragleave", function (event) {
    if (!event.relatedTarget) highlight(null);
  });
  document.addEventListener("drop", function (event) {
    if (!carriesFiles(event) || !section()) return;
    event.preventDefault();
    highlight(null);
    place(event.target, filesOf(event.dataTransfer));
  });
  document.addEventListener("paste", function (event) {
    const files = filesOf(event.clipboardData);
    if (!files.length || !section()) return;  // text pastes as usual
    event.preventDefault();
    place(event.target, files);
  });
})();
