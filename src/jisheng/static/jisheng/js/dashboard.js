// Charts of the dashboard and demography pages (ECharts, vendored). Each chart is an
// element <div class="js-chart" data-chart="line|bars|pyramid" data-source="…"> whose data
// the page gives in a <script type="application/json"> (Django's json_script):
//   line    data-source="trend-N": item N of #js-trends {name, unit, months, values, urls}
//           — a click on a point opens urls[i] (the persons behind that month's figure);
//   bars    data-source="children": #js-children {name, unit, labels, values, urls}
//           — a click on a bar opens that child unit's dashboard (data-json="ID": the
//           data from #ID instead, e.g. the assessment's ranking by score);
//   pyramid data-source="pyramid": #js-pyramid {labels, male (negative), female}.
// null values (undefined figures, denominator 0) are gaps, never 0.
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function suffix(unit) {
    return unit === "%" || unit === "‰" ? unit : "";
  }

  function show(value, unit) {
    return value === null || value === undefined ? "—" : value + suffix(unit);
  }

  function follow(urls) {
    return function (params) {
      var url = urls && urls[params.dataIndex];
      if (url) window.location.href = url;
    };
  }

  function line(data) {
    return {
      animation: false,
      grid: { left: 40, right: 12, top: 12, bottom: 24 },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return show(v, data.unit); },
      },
      xAxis: {
        type: "category",
        data: data.months.map(function (m) { return m.slice(2); }),
        axisLabel: { fontSize: 10 },
      },
      yAxis: {
        type: "value",
        scale: true,
        minInterval: data.unit === "count" ? 1 : 0,  // counts: whole numbers only
        axisLabel: { fontSize: 10 },
      },
      series: [{
        name: data.name,
        type: "line",
        data: data.values,
        connectNulls: false,
        symbolSize: 7,
        cursor: "pointer",
      }],
    };
  }

  function bars(data) {
    return {
      animation: false,
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: function (v) { return show(v, data.unit); },
      },
      xAxis: {
        type: "value",
        min: 0,
        minInterval: data.unit === "count" ? 1 : 0,  // counts: whole numbers only
        axisLabel: { fontSize: 10 },
      },
      yAxis: {
        type: "category",
        inverse: true,
        data: data.labels,
        axisLabel: { fontSize: 11 },
      },
      series: [{
        name: data.name,
        type: "bar",
        data: data.values,
        cursor: "pointer",
        label: {
          show: true,
          position: "right",
          formatter: function (p) { return show(p.value, data.unit); },
        },
      }],
    };
  }

  function pyramid(data, el) {
    var male = el.getAttribute("data-male") || "M";
    var female = el.getAttribute("data-female") || "F";
    var abs = function (v) { return Math.abs(v); };
    return {
      animation: false,
      legend: { data: [male, female], top: 0 },
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: abs,
      },
      xAxis: { type: "value", minInterval: 1, axisLabel: { formatter: abs, fontSize: 10 } },
      yAxis: { type: "category", data: data.labels, axisTick: { show: false } },
      series: [
        { name: male, type: "bar", stack: "all", data: data.male },
        { name: female, type: "bar", stack: "all", data: data.female },
      ],
    };
  }

  function draw(el) {
    if (typeof echarts === "undefined") return;
    var kind = el.getAttribute("data-chart");
    var source = el.getAttribute("data-source") || "";
    var data, option, urls;
    if (kind === "line") {
      var trends = readJson("js-trends") || [];
      data = trends[parseInt(source.replace("trend-", ""), 10)];
      if (!data) return;
      option = line(data);
      urls = data.urls;
    } else if (kind === "bars") {
      data = readJson(el.getAttribute("data-json") || "js-children");
      if (!data) return;
      option = bars(data);
      urls = data.urls;
    } else if (kind === "pyramid") {
      data = readJson("js-pyramid");
      if (!data) return;
      option = pyramid(data, el);
    } else {
      return;
    }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    if (urls) chart.on("click", follow(urls));
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    document.querySelectorAll(".js-chart[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
