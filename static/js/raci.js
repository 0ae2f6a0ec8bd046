// The RACI matrix. For everyone: the page draws its first rows, and the rest load in
// chunks as the user nears the end of those loaded (the "Next cards" link's URL, asked
// with HX-Request, answers the next rows, the status and the next link).
// For editors, one listener on the table handles every cell. A click cycles a cell
// (R → A → C → I → none). From the keyboard the grid is one tab stop: the arrow keys
// move between cells (past the last loaded row, the next rows load first), R, A, C, I
// set a cell, Delete clears it. A role cell is a bare <td>: its card is its row's id,
// its holder the column's header (data-holder), so the rows carry no attributes per cell.
(function () {
  "use strict";
  const grid = document.querySelector(".raci-matrix");
  const more = document.getElementById("raci-more");
  if (!grid || !more) return;

  function cardRows() {
    return grid.querySelectorAll("tbody tr[id^='card-']");
  }

  // Rows ----------------------------------------------------------------------

  let loading = null;
  // Load the next chunk; resolves to whether rows came. One load at a time.
  function loadMore() {
    const link = more.querySelector("a[href]");
    if (!link) return Promise.resolve(false);
    if (loading) return loading;
    // The status counts from the page's first row.
    const url = new URL(link.href);
    url.searchParams.set("from", grid.dataset.first);
    loading = fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        const answer = document.createElement("template");
        answer.innerHTML = html;
        // A card added above since the page was drawn shifts the rows by one: skip a
        // row already here rather than show it twice.
        const rows = Array.from(answer.content.querySelectorAll("tbody > tr")).filter(
          (row) => !row.id || !document.getElementById(row.id)
        );
        // Each chunk in a body of its own: the browser lays the new rows out without
        // laying out again the bodies before them (the columns' widths are fixed).
        const body = document.createElement("tbody");
        body.append(...rows);
        if (rows.length) grid.append(body);
        const status = answer.content.getElementById("raci-status");
        document.getElementById("raci-status").replaceChildren(...status.childNodes);
        more.replaceChildren(...answer.content.getElementById("raci-more").childNodes);
        loading = null;
        // Ask again whether the end is near: a short chunk may leave it in view. (Not
        // after a failure, which would ask again and again; the link is still there.)
        observer.unobserve(more);
        observer.observe(more);
        return rows.length > 0;
      });
    loading.catch(function () {
      loading = null;
    });
    return loading;
  }

  // Load when the end of the loaded rows comes within a screenful of the table's view,
  // once the reader scrolls the table: while the page loads, the rows it drew are all the
  // browser styles and lays out (a chunk added at once would be another long task). A
  // table shorter than its view, which cannot scroll, loads its next rows at once.
  const wrap = grid.closest(".raci-wrap");
  const observer = new IntersectionObserver(
    function (entries) {
      if (entries.some((entry) => entry.isIntersecting)) loadMore().catch(function () {});
    },
    { root: wrap, rootMargin: "0px 0px 100% 0px" }
  );
  const inView = new IntersectionObserver(
    function (entries) {
      inView.disconnect();
      if (entries.some((entry) => entry.isIntersecting)) observer.observe(more);
    },
    { root: wrap }
  );
  inView.observe(more);
  wrap.addEventListener(
    "scroll",
    function () {
      inView.disconnect();
      observer.observe(more);
    },
    { once: true, passive: true }
  );

  // The link loads the rows in place (the first of them takes the focus); a page
  // load if that fails.
  more.addEventListener("click", function (event) {
    const link = event.target.closest("a[href]");
    if (!link) return;
    event.preventDefault();
    const count = cardRows().length;
    loadMore().then(
      function () {
        const first = cardRows()[count];
        const target = first && first.querySelector("th a");
        if (target) target.focus();
      },
      function () {
        window.location.href = link.href;
      }
    );
  });

  // A summary's link to a card (which names the card's page of rows, for a page without
  // script) goes to its row here, loading rows until it is there.
  document.addEventListener("click", function (event) {
    const link = event.target.closest("#raci-summary a[data-card]");
    if (!link) return;
    const id = "card-" + link.dataset.card;
    function show(row) {
      history.replaceState(null, "", "#" + id);
      row.scrollIntoView({ block: "center" });
    }
    if (document.getElementById(id)) {
      event.preventDefault();
      show(document.getElementById(id));
      return;
    }
    if (!more.querySelector("a[href]")) return; // not on this page: follow the link
    event.preventDefault();
    (function next() {
      loadMore().then(
        function (came) {
          const row = document.getElementById(id);
          if (row) show(row);
          else if (came) next();
          else window.location.href = link.href;
        },
        function () {
          window.location.href = link.href;
        }
      );
    })();
  });

  // Cells ---------------------------------------------------------------------

  if (!grid.dataset.cellUrl) return;
  const keys = { r: "R", a: "A", c: "C", i: "I", delete: "", backspace: "" };
  const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  const holders = Array.from(grid.querySelectorAll("thead th[data-holder]"), function (th) {
    return th.dataset.holder;
  });

  // The holder of a role cell; null for anything else (the card's name, its problems).
  function holderOf(cell) {
    if (!cell || cell.tagName !== "TD" || !cell.parentElement.id.startsWith("card-")) return null;
    return holders[cell.cellIndex - 1] || null;
  }

  // Roving tab stop: only the cell last focused is in the tab order.
  let current = null;
  function focusCell(cell) {
    if (current && current !== cell) current.removeAttribute("tabindex");
    cell.tabIndex = 0;
    cell.focus();
    current = cell;
  }

  function send(cell, role) {
    const row = cell.parentElement;
    const index = cell.cellIndex;
    const values = { holder: holderOf(cell) };
    if (role !== null) values.role = role;
    const url =
      grid.dataset.cellUrl.replace("/cards/0/", "/cards/" + row.id.slice(5) + "/") +
      window.location.search;
    htmx
      .ajax("POST", url, { source: cell, target: row, swap: "outerHTML", values: values })
      .then(function () {
        const fresh = document.getElementById(row.id);
        if (fresh && fresh.cells[index]) focusCell(fresh.cells[index]);
        else firstTabStop();
      });
  }

  // The grid's tab stop when no cell has had focus (or its row has gone).
  function firstTabStop() {
    const first = cardRows()[0];
    current = first && holderOf(first.cells[1]) ? first.cells[1] : null;
    if (current) current.tabIndex = 0;
  }

  // The cell ``down`` rows from ``cell``, ``across`` columns along, if it is a role cell.
  function cellFrom(cell, down, across) {
    let row = cell.parentElement;
    if (down) {
      const rows = Array.from(cardRows());
      row = rows[rows.indexOf(row) + down];
    }
    const next = row && row.cells[cell.cellIndex + across];
    return holderOf(next) ? next : null;
  }

  // The table says role="grid" from the server, for editors: set here, it would restyle
  // every cell of the table once more as the page loads.
  firstTabStop();

  grid.addEventListener("click", function (event) {
    const cell = event.target.closest("td");
    if (!holderOf(cell)) return;
    focusCell(cell);
    send(cell, null);
  });

  grid.addEventListener("keydown", function (event) {
    const cell = event.target;
    if (!holderOf(cell) || event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key.toLowerCase();
    if (key in keys) {
      event.preventDefault();
      send(cell, keys[key]);
    } else if (event.key in moves) {
      const [down, across] = moves[event.key];
      const next = cellFrom(cell, down, across);
      if (next) {
        event.preventDefault();
        focusCell(next);
      } else if (down > 0 && more.querySelector("a[href]")) {
        // Past the last loaded row: the focus stays on this cell until the next rows come.
        event.preventDefault();
        loadMore().then(function () {
          const below = cellFrom(cell, down, across);
          if (below && document.activeElement === cell) focusCell(below);
        }, function () {});
      }
    }
  });
})();
