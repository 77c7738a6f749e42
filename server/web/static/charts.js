// The main platform's charts: Apache ECharts over the figures the page's GraphQL document
// read (embedded as JSON). Progressive enhancement: without scripts the same figures are in
// the tables below the charts.
(function () {
  "use strict";
  var source = document.getElementById("statistics-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var colours = ["#1d4f91", "#b8262b", "#d89b2b", "#3f8a6b", "#6b5aa6", "#2f8fb3", "#8a6d3b", "#5c6b7a"];
  var font = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var tallies = data[box.getAttribute("data-chart")] || [];
    var kind = box.getAttribute("data-kind");
    var labels = tallies.map(function (t) { return t.label; });
    var counts = tallies.map(function (t) { return t.count; });
    var option = {
      color: colours,
      textStyle: { fontFamily: font },
      tooltip: { trigger: kind === "pie" ? "item" : "axis" },
      grid: { left: 40, right: 16, top: 28, bottom: 56 }
    };
    if (kind === "pie") {
      var narrow = box.clientWidth < 420;
      option.series = [{
        type: "pie", radius: narrow ? ["28%", "50%"] : ["38%", "66%"], center: ["50%", "50%"],
        label: { formatter: "{b}\n{c}" },
        data: tallies.map(function (t) { return { name: t.label, value: t.count }; })
      }];
    } else {
      option.xAxis = { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 40 : 0 } };
      option.yAxis = { type: "value", minInterval: 1 };
      option.series = [{
        type: "bar", data: counts, barMaxWidth: 36,
        label: { show: true, position: "top" },
        itemStyle: { borderRadius: [3, 3, 0, 0], color: box.getAttribute("data-colour") || colours[0] }
      }];
    }
    var chart = window.echarts.init(box);
    chart.setOption(option);
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
