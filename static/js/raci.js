// The RACI matrix for editors: one listener on the table handles every cell.
// A click cycles a cell (R → A → C → I → none). From the keyboard the grid is one
// tab stop: the arrow keys move between cells, R, A, C, I set a cell, Delete
// clears it. A role cell is a bare <td>: its card is its row's id, its holder
// the column's header (data-holder), so the rows carry no attributes per cell.
(function () {
  "use strict";
  const grid = document.querySelector(".raci-matrix[data-cell-url]");
  if (!grid) return;
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

  function cardRows() {
    return grid.querySelectorAll("tbody tr[id^='card-']");
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

  grid.setAttribute("role", "grid");
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
      let row = cell.parentElement;
      if (down) {
        const rows = Array.from(cardRows());
        row = rows[rows.indexOf(row) + down];
      }
      const next = row && row.cells[cell.cellIndex + across];
      if (holderOf(next)) {
        event.preventDefault();
        focusCell(next);
      }
    }
  });
})();
