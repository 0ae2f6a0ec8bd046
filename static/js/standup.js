// The standup's 15-minute timer and the "next person" control.
(function () {
  "use strict";
  const root = document.querySelector("[data-standup]");
  if (!root) return;

  const display = root.querySelector("[data-timer]");
  const toggle = root.querySelector("[data-timer-toggle]");
  let remaining = Number(display.dataset.seconds);
  let ticking = null;

  function show() {
    const sign = remaining < 0 ? "-" : "";
    const seconds = Math.abs(remaining);
    display.textContent = sign + Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    display.classList.toggle("overtime", remaining < 0);
    display.classList.toggle("last-minutes", remaining >= 0 && remaining <= 120);
  }

  const startLabel = toggle.textContent;
  // The pause symbol is for the eye; a screen reader hears the translated word.
  const pauseSymbol = document.createElement("span");
  pauseSymbol.setAttribute("aria-hidden", "true");
  pauseSymbol.textContent = "❚❚ ";

  toggle.addEventListener("click", function () {
    if (ticking) {
      clearInterval(ticking);
      ticking = null;
      toggle.textContent = startLabel;
      return;
    }
    ticking = setInterval(function () {
      remaining -= 1;
      show();
    }, 1000);
    toggle.replaceChildren(pauseSymbol, toggle.dataset.pauseLabel);
  });

  const lanes = Array.from(root.querySelectorAll("[data-lane]"));
  root.querySelector("[data-next]").addEventListener("click", function () {
    if (!lanes.length) return;
    const current = lanes.findIndex(function (lane) {
      return lane.classList.contains("is-current");
    });
    lanes[current].classList.remove("is-current");
    const next = lanes[(current + 1) % lanes.length];
    next.classList.add("is-current");
    next.scrollIntoView({ behavior: "smooth", block: "start" });
    next.focus({ preventScroll: true });
  });
  show();
})();
