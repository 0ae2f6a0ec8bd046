// The card beside the board: a tile's link opens the card in a side panel (a modal
// <dialog>) over the board, at the board's address with ?card=<id>, so the address can
// be shared and opens the same panel. Escape (or Close) closes it and gives focus back to
// the card's tile. The body comes from the card's page through htmx (the server answers
// an htmx request with the page's card-body fragment). The board's poll keeps swapping
// tiles underneath; it moves focus only when the focus was on a swapped tile, which it is
// not while the modal panel holds it.
(function () {
  "use strict";

  const panel = document.getElementById("card-panel");
  if (!panel || !window.htmx) return;
  const body = document.getElementById("card-panel-body");
  const fullPage = panel.querySelector("[data-full-page]");
  let cardId = panel.dataset.open || null;

  function tile(id) {
    return document.querySelector('#board [data-card="' + id + '"]');
  }

  function boardUrl() {
    const url = new URL(window.location.href);
    url.searchParams.delete("card");
    url.hash = "";
    return url;
  }

  function show() {
    if (!panel.open) panel.showModal();
    const title = panel.querySelector("#card-title");
    if (title) {
      title.setAttribute("tabindex", "-1");
      title.focus();
    }
  }

  async function open(link, id, remember) {
    await htmx.ajax("GET", link.getAttribute("href"), { target: body, swap: "innerHTML" });
    cardId = id;
    fullPage.setAttribute("href", link.getAttribute("href"));
    if (remember) {
      const url = boardUrl();
      url.searchParams.set("card", id);
      history.pushState({ card: id }, "", url);
    }
    show();
  }

  function openTile(card, remember) {
    const link = card && card.querySelector("a");
    if (link) open(link, card.dataset.card, remember);
  }

  // One listener for every tile, present and to come (the poll swaps tiles in).
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("#board .card a");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    openTile(link.closest(".card"), true);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.altKey) return;
    const card = event.target.matches && event.target.matches("#board .card") ? event.target : null;
    if (!card) return;
    event.preventDefault();
    openTile(card, true);
  });

  // The card's forms (comment, checklist, files, move, archive) stay in the panel: sent
  // with htmx into its body, the server answers with the card again (with the form's
  // errors, 400, or what the change said). Forms that are htmx's own (follow) are left to
  // it, and a form whose question was declined (site.js, data-confirm) is not sent.
  // The forms sent and not answered yet, by address: each answer puts the focus back for
  // its own form, even when a second form is sent before the first answer settles.
  const sent = new Set();
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (event.defaultPrevented || !body.contains(form) || form.hasAttribute("hx-post")) return;
    event.preventDefault();
    const submitter = event.submitter;
    const values = {};
    if (submitter && submitter.name) values[submitter.name] = submitter.value;
    const action = form.getAttribute("action");
    sent.add(action);
    htmx.ajax("POST", action, { source: form, target: body, swap: "innerHTML", values: values });
  });
  body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target === body && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // After the swap, the focus goes back to the form that was sent (the same item's
  // checkbox, the comment box), or to the card's title if that form is gone.
  body.addEventListener("htmx:afterSettle", function (event) {
    const action = event.detail.pathInfo && event.detail.pathInfo.requestPath;
    if (event.detail.target !== body || !sent.delete(action)) return;
    const form = Array.from(body.querySelectorAll("form")).find(function (f) {
      return f.getAttribute("action") === action;
    });
    // Kept where it was (htmx keeps the focus on a field with an id), unless it fell to the
    // page or to the dialog itself when the focused button was swapped out.
    if (body.contains(document.activeElement)) return;
    const invalid = form && form.querySelector("[aria-invalid=true]");
    const target = invalid || (form && form.querySelector("textarea, button[type=submit]")) ||
      panel.querySelector("#card-title");
    if (target) target.focus();
  });

  panel.querySelector("[data-close]").addEventListener("click", function (event) {
    event.preventDefault();
    panel.close();
  });
  panel.addEventListener("close", function () {
    if (new URL(window.location.href).searchParams.has("card")) {
      history.pushState({}, "", boardUrl());
    }
    const back = cardId && tile(cardId);
    if (back) back.focus();
  });
  window.addEventListener("popstate", function () {
    const id = new URL(window.location.href).searchParams.get("card");
    if (!id) {
      if (panel.open) panel.close();
    } else if (id !== cardId || !panel.open) {
      openTile(tile(id), false);
    }
  });

  // Opened at its address: the server drew the panel open (so it reads without script);
  // make it modal, which moves focus into it and lets Escape close it.
  if (panel.hasAttribute("open")) {
    panel.removeAttribute("open");
    show();
  }
})();
