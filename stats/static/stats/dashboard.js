// Dashboard charts. The charts part of the page arrives by htmx with its data in
// <script type="application/json" id="stats-data"> (CSP allows no inline script); every point
// carries the URL of the matters behind it, and a click opens that list.
(function () {
  "use strict";
  var colours = ["#8b1d1d", "#2f6f9f", "#d98c1f", "#4d8b3c", "#7a4f9a", "#6b6b6b", "#c0504d", "#1f7a7a"];
  var charts = [];

  function open(url) { if (url) { window.location.href = url; } }

  function make(root, name, option) {
    var el = root.querySelector('[data-chart="' + name + '"]');
    if (!el || el.getAttribute("data-ready")) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (!url && params.seriesIndex !== undefined && option.series[params.seriesIndex].urls) {
        url = option.series[params.seriesIndex].urls[params.dataIndex];
      }
      open(url);
    });
    el.setAttribute("data-ready", "1");
    charts.push(chart);
  }

  function bars(root, name, rows) {
    make(root, name, {
      color: colours,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 120, right: 24, top: 8, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: rows.map(function (d) { return d.name; }) },
      series: [{ type: "bar", data: rows.map(function (d) { return { value: d.value, url: d.url }; }),
                 label: { show: true, position: "right" } }]
    });
  }

  function init(root) {
    var source = root && root.querySelector ? root.querySelector("#stats-data") : null;
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (data.trend) {
      make(root, "trend", {
        color: colours,
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        grid: { left: 48, right: 16, top: 16, bottom: 56 },
        xAxis: { type: "category", data: data.trend.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: data.trend.series.map(function (s, i) {
          return { name: s.name, type: i === 0 ? "bar" : "line", data: s.data, urls: s.urls,
                   lineStyle: i === 1 ? { type: "dashed" } : undefined };
        })
      });
    }
    if (data.channel) {
      make(root, "channel", {
        color: colours,
        tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
        legend: { bottom: 0, type: "scroll" },
        series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
                   data: data.channel.map(function (d) { return { name: d.name, value: d.value, url: d.url }; }) }]
      });
    }
    if (data.category) { bars(root, "category", data.category.slice(0, 12)); }
    if (data.locality) { bars(root, "locality", data.locality.slice(0, 12)); }
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.body.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
