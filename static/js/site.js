// Behaviour every page shares, wired by data attributes so that no page needs an
// inline script or event handler (the Content-Security-Policy allows neither).
(function () {
  "use strict";

  // <form data-confirm="Delete this?"> asks before it submits.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // <button data-print> prints the page.
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });

  // <button data-add-row="questions" hidden> adds a row to the formset of that prefix
  // from its <template data-empty-row="questions">, numbered after the others, and puts
  // the focus in it. Without script the button stays hidden and the spare rows serve.
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.hidden = false;
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-add-row]");
    if (!button) return;
    const prefix = button.dataset.addRow;
    const total = document.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    const most = document.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    const template = document.querySelector('template[data-empty-row="' + prefix + '"]');
    if (!total || !template) return;
    const count = Number(total.value);
    if (most && count >= Number(most.value)) return;
    button.insertAdjacentHTML(
      "beforebegin",
      template.innerHTML.replace(/__prefix__/g, String(count)).replace(/__number__/g, String(count + 1))
    );
    total.value = String(count + 1);
    const field = button.previousElementSibling.querySelector(
      "input:not([type=hidden]), select, textarea"
    );
    if (field) field.focus();
  });

  // "/" anywhere but in a field goes to the search box (the header's, or the search page's).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    const box = document.querySelector("[data-search-box]");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });
})();
