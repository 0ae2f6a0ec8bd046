// The RACI matrix from the keyboard: R, A, C, I set a cell, Delete clears it,
// the arrow keys move between cells. A click cycles (htmx, on the button).
(function () {
  "use strict";
  const keys = { r: "R", a: "A", c: "C", i: "I", delete: "", backspace: "" };
  const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };

  function cellAt(row, index) {
    return row && row.querySelectorAll(".raci-cell")[index];
  }

  document.addEventListener("keydown", function (event) {
    const button = event.target.closest && event.target.closest(".raci-cell");
    if (!button || event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key.toLowerCase();
    if (key in keys) {
      event.preventDefault();
      const row = button.closest("tr");
      const index = Array.from(row.querySelectorAll(".raci-cell")).indexOf(button);
      htmx
        .ajax("POST", button.getAttribute("hx-post"), {
          source: button,
          target: row,
          swap: "outerHTML",
          values: { holder: button.dataset.holder, role: keys[key] },
        })
        .then(function () {
          const fresh = document.getElementById(row.id);
          const again = cellAt(fresh, index);
          if (again) again.focus();
        });
    } else if (event.key in moves) {
      const [down, across] = moves[event.key];
      const row = button.closest("tr");
      const cells = Array.from(row.querySelectorAll(".raci-cell"));
      const index = cells.indexOf(button) + across;
      let target = row;
      if (down) {
        const rows = Array.from(document.querySelectorAll(".raci-matrix tbody tr[id]"));
        target = rows[rows.indexOf(row) + down];
      }
      const next = cellAt(target, index);
      if (next) {
        event.preventDefault();
        next.focus();
      }
    }
  });
})();
