// The board, live: every few seconds it asks what changed since its revision and
// swaps in only those cards, so focus, scroll position and the filters stay as
// they are. Editors move cards by dragging or with Alt + arrows; a move answers
// the same way (the server's order wins), and a refused one brings back the
// board as it is, with the reason above the columns.
(function () {
  "use strict";

  const POLL_MS = 3000;
  // Sortable's animation moves every card of a long column: only short boards get it.
  const ANIMATED_CARDS = 150;
  let board = document.getElementById("board");
  if (!board) return;
  let busy = false; // a move or a poll is under way: one at a time, in order
  let dragging = false;

  function csrfToken() {
    return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  }

  function tile(id) {
    return board.querySelector('[data-card="' + id + '"]');
  }

  function fromHtml(html) {
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    return holder.content.firstElementChild;
  }

  function focused(element) {
    return element && element.contains(document.activeElement);
  }

  function say(text, kind) {
    const place = board.querySelector(".board-message");
    place.replaceChildren();
    if (!text) return;
    const message = document.createElement("p");
    message.className = "message message-" + kind;
    message.setAttribute("role", kind === "error" ? "alert" : "status");
    message.textContent = text;
    place.append(message);
  }

  function replaceBoard(html, keepFocusOn) {
    const fresh = fromHtml(html);
    board.replaceWith(fresh);
    board = fresh;
    setUp();
    const card = keepFocusOn && tile(keepFocusOn);
    if (card) card.focus({ preventScroll: true });
  }

  function sameLanes(lanes) {
    const shown = Array.from(board.querySelectorAll(".lane"), (lane) => lane.dataset.lane);
    return shown.length === lanes.length && lanes.every((lane) => shown.includes(lane));
  }

  // One changed card: out of where it was, into its cell below the card named "after".
  function place(card) {
    const list = board.querySelector(
      '.lane[data-lane="' + card.lane + '"] ol[data-column="' + card.column + '"]'
    );
    const above = card.after && tile(card.after);
    if (!list || (card.after && !above)) return false;
    const old = tile(card.id);
    const hadFocus = focused(old);
    const fresh = fromHtml(card.html);
    if (old) old.remove();
    if (above) above.after(fresh);
    else list.prepend(fresh);
    if (hadFocus) fresh.focus({ preventScroll: true });
    return true;
  }

  function apply(answer, keepFocusOn) {
    if (Number(answer.revision) < Number(board.dataset.revision)) return;
    if (answer.board !== undefined) {
      replaceBoard(answer.board, keepFocusOn || (document.activeElement || {}).dataset?.card);
      return;
    }
    if (!sameLanes(answer.lanes)) return refresh();
    answer.removed.forEach(function (id) {
      const old = tile(id);
      if (old) old.remove();
    });
    if (!answer.cards.every(place)) return refresh();
    Object.entries(answer.counts).forEach(function ([cell, html]) {
      const [lane, column] = cell.split("|");
      const list = board.querySelector('.lane[data-lane="' + lane + '"] ol[data-column="' + column + '"]');
      const count = list && list.closest(".column").querySelector(".count");
      if (count) count.replaceWith(fromHtml(html));
    });
    board.dataset.revision = answer.revision;
    if (answer.warning) say(answer.warning, "warning");
  }

  async function ask(url, options, keepFocusOn) {
    busy = true;
    try {
      const response = await fetch(url, Object.assign({ credentials: "same-origin" }, options));
      if (response.status === 204) return;
      if ((response.headers.get("content-type") || "").startsWith("application/json")) {
        apply(await response.json(), keepFocusOn);
      } else if (!response.ok && response.status !== 429) {
        window.location.reload(); // signed out, or the board is gone
      }
    } catch (error) {
      // Offline for a moment: the next poll catches up.
    } finally {
      busy = false;
    }
  }

  function changesUrl(since) {
    const url = new URL(board.dataset.changesUrl, window.location.href);
    if (since !== undefined) url.searchParams.set("since", since);
    return url;
  }

  function refresh() {
    return ask(changesUrl(), {});
  }

  function poll() {
    if (!busy && !dragging && !document.hidden) ask(changesUrl(board.dataset.revision), {});
  }

  async function move(card, list, neighbours) {
    const data = new FormData();
    data.append("column", list.dataset.column);
    data.append("since", board.dataset.revision);
    const above = neighbours ? neighbours.above : card.previousElementSibling;
    const below = neighbours ? neighbours.below : card.nextElementSibling;
    if (above && above.dataset.card) data.append("after", above.dataset.card);
    if (below && below.dataset.card) data.append("before", below.dataset.card);
    const url = board.dataset.moveUrl.replace("/cards/0/", "/cards/" + card.dataset.card + "/") + window.location.search;
    while (busy) await new Promise((resolve) => setTimeout(resolve, 50));
    say(""); // the last move's message is answered by this one
    await ask(
      url,
      { method: "POST", body: data, headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" } },
      card.dataset.card
    );
    const moved = tile(card.dataset.card);
    if (moved) moved.focus({ preventScroll: true });
  }

  // Alt + arrows move the focused card: left/right between columns, up/down within one.
  function onKey(event) {
    const card = event.target.closest && event.target.closest("#board .card");
    if (!card || !event.altKey || !board.dataset.moveUrl) return;
    const list = card.parentElement;
    const lists = Array.from(list.closest(".columns").querySelectorAll("ol.cards"));
    const index = lists.indexOf(list);
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      const target = lists[index + (event.key === "ArrowRight" ? 1 : -1)];
      if (!target) return;
      event.preventDefault();
      move(card, target, { above: target.lastElementChild, below: null });
    } else if (event.key === "ArrowUp" && card.previousElementSibling) {
      event.preventDefault();
      const above = card.previousElementSibling;
      move(card, list, { above: above.previousElementSibling, below: above });
    } else if (event.key === "ArrowDown" && card.nextElementSibling) {
      event.preventDefault();
      const below = card.nextElementSibling;
      move(card, list, { above: below, below: below.nextElementSibling });
    }
  }

  function setUp() {
    if (!board.dataset.moveUrl || !window.Sortable) return;
    const animation = board.querySelectorAll(".card").length > ANIMATED_CARDS ? 0 : 120;
    board.querySelectorAll("ol.cards").forEach(function (list) {
      Sortable.create(list, {
        group: "lane-" + list.closest(".lane").dataset.lane,
        draggable: ".card",
        // Pointer events rather than the browser's own drag and drop: the same on touch screens and mice.
        forceFallback: true,
        fallbackTolerance: 4,
        filter: "details, summary, select, button, input",
        preventOnFilter: false,
        animation: animation,
        onStart: function () {
          dragging = true;
          document.body.classList.add("dragging");
        },
        onEnd: function (event) {
          dragging = false;
          document.body.classList.remove("dragging");
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          move(event.item, event.to);
        },
      });
    });
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("visibilitychange", poll);
  setInterval(poll, POLL_MS);
  // Sortable comes with defer too, and runs first: it is earlier in the page.
  setUp();
})();
