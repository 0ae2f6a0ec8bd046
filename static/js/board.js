// Drag and drop on the board. Every move posts to the card's move endpoint;
// the server answers with the whole board, so its order wins: a refused move
// (a full hard WIP limit) snaps back with the reason shown above the columns.
(function () {
  "use strict";

  function csrfToken() {
    return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  }

  async function move(board, card, list, neighbours) {
    const data = new FormData();
    data.append("column", list.dataset.column);
    const above = neighbours ? neighbours.above : card.previousElementSibling;
    const below = neighbours ? neighbours.below : card.nextElementSibling;
    if (above && above.dataset.card) data.append("after", above.dataset.card);
    if (below && below.dataset.card) data.append("before", below.dataset.card);
    const url = board.dataset.moveUrl.replace("/cards/0/", "/cards/" + card.dataset.card + "/") + window.location.search;
    const response = await fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
    });
    board.outerHTML = await response.text();
    const fresh = document.getElementById("board");
    htmx.process(fresh);
    setUp(fresh);
    const moved = fresh.querySelector('[data-card="' + card.dataset.card + '"]');
    if (moved) moved.focus();
  }

  // Alt + arrows move the focused card: left/right between columns, up/down within one.
  function onKey(board, event) {
    const card = event.target.closest && event.target.closest(".card");
    if (!card || !event.altKey) return;
    const list = card.parentElement;
    const lists = Array.from(list.closest(".columns").querySelectorAll("ol.cards"));
    const index = lists.indexOf(list);
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      const target = lists[index + (event.key === "ArrowRight" ? 1 : -1)];
      if (!target) return;
      event.preventDefault();
      move(board, card, target, { above: target.lastElementChild, below: null });
    } else if (event.key === "ArrowUp" && card.previousElementSibling) {
      event.preventDefault();
      const above = card.previousElementSibling;
      move(board, card, list, { above: above.previousElementSibling, below: above });
    } else if (event.key === "ArrowDown" && card.nextElementSibling) {
      event.preventDefault();
      const below = card.nextElementSibling;
      move(board, card, list, { above: below, below: below.nextElementSibling });
    }
  }

  function setUp(board) {
    board.querySelectorAll("ol.cards").forEach(function (list) {
      Sortable.create(list, {
        group: "lane-" + list.closest(".lane").dataset.lane,
        draggable: ".card",
        // Pointer events rather than the browser's own drag and drop: the same on touch screens and mice.
        forceFallback: true,
        fallbackTolerance: 4,
        filter: "details, summary, select, button, input",
        preventOnFilter: false,
        animation: 120,
        onStart: function () {
          document.body.classList.add("dragging");
        },
        onEnd: function (event) {
          document.body.classList.remove("dragging");
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          move(board, event.item, event.to);
        },
      });
    });
    board.addEventListener("keydown", function (event) {
      onKey(board, event);
    });
  }

  // The board polls for changes every few seconds; a poll that lands mid-drag would
  // swap the card out from under the pointer, so it waits for the drop.
  document.addEventListener("htmx:confirm", function (event) {
    if (event.target.id === "board" && document.body.classList.contains("dragging")) {
      event.preventDefault();
    }
  });

  htmx.onLoad(function (element) {
    const board = element.id === "board" ? element : element.querySelector && element.querySelector("#board");
    if (board) setUp(board);
  });
})();
