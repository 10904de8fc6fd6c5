// 统计看板: draws the charts from the JSON the page carries in <script type="application/json"> elements (the
// Content-Security-Policy forbids inline scripts). Each chart container names its kind (data-chart) and its data
// (data-source, the id of the JSON element).
(function () {
  "use strict";

  function read(id) {
    const element = document.getElementById(id);
    if (!element) return null;
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  const labels = read("chart-labels") || { empty: "—", target: "", value: "" };

  function empty(container) {
    container.classList.add("sg-chart-empty");
    container.textContent = labels.empty;
    return null;
  }

  function trend(data) {
    if (!data || !data.months || !data.months.length || !data.series.length) return null;
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value" },
      series: data.series.map((series) => ({ name: series.name, type: "line", smooth: true, data: series.values })),
    };
  }

  function ranking(data) {
    if (!data || !data.items || !data.items.length) return null;
    const items = data.items.slice().reverse(); // largest on top
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 110, right: 30, top: 10, bottom: 30 },
      xAxis: { type: "value", name: data.unit || "" },
      yAxis: { type: "category", data: items.map((item) => item.name), axisLabel: { width: 100, overflow: "truncate" } },
      series: [{ name: data.indicator, type: "bar", data: items.map((item) => item.value) }],
    };
  }

  function breakdown(parts) {
    if (!parts || !parts.length) return null;
    const width = 100 / parts.length;
    return {
      tooltip: { trigger: "item", formatter: "{a}<br>{b}: {c} ({d}%)" },
      title: parts.map((part, index) => ({
        text: part.dimension,
        left: `${width * index + width / 2}%`,
        top: 0,
        textAlign: "center",
        textStyle: { fontSize: 13 },
      })),
      series: parts.map((part, index) => ({
        name: part.dimension,
        type: "pie",
        radius: ["30%", "60%"],
        center: [`${width * index + width / 2}%`, "55%"],
        label: { formatter: "{b}" },
        data: part.items.map((item) => ({ name: item.name, value: item.value })),
      })),
    };
  }

  function gauges(items) {
    if (!items || !items.length) return null;
    const width = 100 / items.length;
    return {
      series: items.map((item, index) => ({
        name: labels.target,
        type: "gauge",
        center: [`${width * index + width / 2}%`, "60%"],
        radius: `${Math.min(80, width * 0.9)}%`,
        min: 0,
        max: 100,
        progress: { show: true },
        detail: { formatter: "{value}%", fontSize: 16, offsetCenter: [0, "40%"] },
        title: { offsetCenter: [0, "75%"], fontSize: 12 },
        data: [{ value: Math.min(item.percent, 150), name: `${item.name}\n${item.status_label}` }],
      })),
    };
  }

  const BUILDERS = { trend, ranking, breakdown, gauges };
  const charts = [];

  function draw() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-chart]").forEach((container) => {
      const build = BUILDERS[container.dataset.chart];
      const option = build ? build(read(container.dataset.source)) : null;
      if (!option) return empty(container);
      const chart = echarts.init(container, null, { renderer: "canvas" });
      chart.setOption(option);
      container.dataset.drawn = "1";
      charts.push(chart);
      return chart;
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    draw();
    document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
