// Draws the KPI charts from the data the page carries (json_script "trend-data", "chart-data").
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;

  // A KPI's page: its values over time against the target line.
  const trend = document.getElementById("trend-data");
  if (trend) {
    const series = JSON.parse(trend.textContent);
    const canvas = document.getElementById("chart-trend");
    canvas.chart = new Chart(canvas, {
      type: "line",
      data: {
        labels: series.periods,
        datasets: [
          { label: series.labels.value, data: series.values, borderColor: "#0172ad", backgroundColor: "#0172ad", spanGaps: true },
          { label: series.labels.target, data: series.periods.map(() => series.target), borderColor: "#b26a00", borderDash: [6, 4], pointRadius: 0 },
        ],
      },
    });
  }

  const source = document.getElementById("chart-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const labels = data.labels;

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (canvas) canvas.chart = new Chart(canvas, config);
  }

  draw("chart-flow", {
    type: "line",
    data: {
      labels: data.flow.days,
      datasets: [
        { label: labels.done, data: data.flow.done, fill: "origin", backgroundColor: "#c8e6c9", borderColor: "#1e7b4f", pointRadius: 0 },
        { label: labels.doing, data: data.flow.doing.map((v, i) => v + data.flow.done[i]), fill: "-1", backgroundColor: "#bbdefb", borderColor: "#0172ad", pointRadius: 0 },
        {
          label: labels.todo,
          data: data.flow.todo.map((v, i) => v + data.flow.doing[i] + data.flow.done[i]),
          fill: "-1",
          backgroundColor: "#eceff1",
          borderColor: "#9aa5b1",
          pointRadius: 0,
        },
      ],
    },
    options: { scales: { y: { beginAtZero: true } }, interaction: { mode: "index", intersect: false } },
  });

  draw("chart-cycle", {
    type: "scatter",
    data: {
      datasets: [{ label: labels.cycle, data: data.cycles.map((p, i) => ({ x: i, y: p.y, text: p.text })), backgroundColor: "#0172ad" }],
    },
    options: {
      scales: { x: { ticks: { callback: (value) => (data.cycles[value] ? data.cycles[value].x : "") } }, y: { beginAtZero: true } },
      plugins: { tooltip: { callbacks: { label: (ctx) => ctx.raw.text } } },
    },
  });

  draw("chart-throughput", {
    type: "bar",
    data: { labels: data.throughput.weeks, datasets: [{ label: labels.throughput, data: data.throughput.done, backgroundColor: "#0172ad" }] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
})();
