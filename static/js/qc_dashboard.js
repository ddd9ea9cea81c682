// The quality dashboard's charts, drawn with the vendored Chart.js from the figures the page embeds.
(function () {
  const source = document.getElementById("dashboard-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997", "#6c757d", "#d63384", "#ffc107", "#0dcaf0"];
  const coloured = (sets, fill) => sets.map((set, n) => ({
    label: set.label, data: set.data, borderColor: palette[n % palette.length],
    backgroundColor: palette[n % palette.length] + (fill ? "cc" : "33"), spanGaps: true, tension: 0.2,
  }));

  // The day table is filled here, so the page carries its figures once.
  const rows = document.getElementById("pages-per-day-rows");
  if (rows) {
    data.daily.days.forEach((day, n) => {
      const row = rows.insertRow();
      row.insertCell().textContent = day;
      data.daily.steps.forEach((step) => {
        const cell = row.insertCell();
        cell.className = "text-end";
        cell.textContent = step.data[n];
      });
    });
  }
  if (typeof Chart === "undefined") return;
  const chart = (id, config) => {
    const canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  };
  chart("chart-steps", {type: "line", data: {labels: data.daily.days, datasets: coloured(data.daily.steps)}});
  chart("chart-operators", {
    type: "bar",
    data: {labels: data.daily.days, datasets: coloured(data.daily.operators, true)},
    options: {scales: {x: {stacked: true}, y: {stacked: true}}},
  });
  chart("chart-quality", {
    type: "line",
    data: {labels: data.weekly.weeks, datasets: coloured([
      {label: data.labels.pass_rate, data: data.weekly.pass_rate},
      {label: data.labels.rework_rate, data: data.weekly.rework_rate},
    ])},
    options: {scales: {y: {min: 0, max: 100}}},
  });
  chart("chart-defects", {
    type: "bar",
    data: {labels: data.weekly.weeks, datasets: coloured(data.weekly.defects, true)},
    options: {scales: {x: {stacked: true}, y: {stacked: true, ticks: {precision: 0}}}},
  });
})();
