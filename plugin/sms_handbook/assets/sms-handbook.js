/* SMS Handbook: filter and sort the controlled-document register, the register as in
   force on a date the reader picks, and date printouts. Progressive enhancement: without
   this script the register is a complete plain table, the in-force page shows the build
   day, and a printout carries the build date instead of the print date. */
(function () {
  "use strict";

  function text(cell) {
    return (cell.textContent || "").trim();
  }

  function versionKey(value) {
    return value.split(/[.-]/).map(function (part) {
      var n = parseInt(part, 10);
      return isNaN(n) ? part : ("0000000000" + n).slice(-10);
    }).join(".");
  }

  function enhance(table) {
    if (table.dataset.smshReady) return;
    table.dataset.smshReady = "1";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var holder = document.querySelector('[data-smsh-filters-for="' + table.id + '"]');
    var filters = {};
    var status = document.createElement("p");
    status.className = "smsh-filter-status";
    status.setAttribute("role", "status");

    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var visible = Object.keys(filters).every(function (key) {
          var wanted = filters[key].value;
          return !wanted || row.dataset[key] === wanted;
        });
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      status.textContent = shown + " of " + rows.length + " documents shown";
    }

    headers.forEach(function (header, index) {
      var key = header.dataset.filter;
      if (key && holder) {
        var values = [];
        rows.forEach(function (row) {
          var value = row.dataset[key];
          if (value && values.indexOf(value) < 0) values.push(value);
        });
        values.sort();
        var label = document.createElement("label");
        label.className = "smsh-filter";
        label.appendChild(document.createTextNode(text(header) + " "));
        var select = document.createElement("select");
        select.name = key;
        var all = document.createElement("option");
        all.value = "";
        all.textContent = "all";
        select.appendChild(all);
        values.forEach(function (value) {
          var option = document.createElement("option");
          option.value = value;
          option.textContent = value;
          select.appendChild(option);
        });
        select.addEventListener("change", apply);
        label.appendChild(select);
        holder.appendChild(label);
        filters[key] = select;
      }
      var kind = header.dataset.sort;
      if (!kind) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "smsh-sort";
      button.textContent = text(header);
      header.textContent = "";
      header.appendChild(button);
      header.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (h) {
          if (h.dataset.sort) h.setAttribute("aria-sort", "none");
        });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var keyed = rows.map(function (row) {
          var value = text(row.cells[index] || row.cells[0]);
          return [kind === "version" ? versionKey(value) : value.toLowerCase(), row];
        });
        keyed.sort(function (a, b) {
          var order = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
          return ascending ? order : -order;
        });
        keyed.forEach(function (pair) {
          body.appendChild(pair[1]);
        });
      });
    });
    if (holder) holder.appendChild(status);
    apply();
  }

  /* The in-force page: each document's step on the day, from documents.json's in_force
     (oldest first: the last step from on or before the day). */
  function inForce(form) {
    if (form.dataset.smshReady) return;
    form.dataset.smshReady = "1";
    var source = form.dataset.smshInForce;
    var base = source.slice(0, source.length - "documents.json".length);
    var table = form.parentNode.querySelector("table.smsh-in-force");
    var status = form.parentNode.querySelector(".smsh-in-force-status");
    var input = form.querySelector("input[name=day]");
    var data = null;

    function href(url) {
      return /^[a-z]+:\/\//i.test(url) ? url : base + url;
    }

    function cell(row, content) {
      var td = row.insertCell();
      if (content && content.nodeType) td.appendChild(content); else td.textContent = content;
      return td;
    }

    function link(url, label) {
      if (!url) return label;
      var a = document.createElement("a");
      a.href = href(url);
      a.textContent = label;
      return a;
    }

    function show() {
      var day = input.value;
      if (!data || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return;
      var body = table.tBodies[0];
      while (body.rows.length) body.deleteRow(0);
      var count = 0;
      data.documents.forEach(function (doc) {
        var step = null;
        (doc.in_force || []).forEach(function (s) { if (s.from <= day) step = s; });
        if (!step) return;
        var row = body.insertRow();
        row.dataset.id = doc.id;
        cell(row, link(doc.url, doc.id + " " + doc.title));
        cell(row, step.version ? link(step.url, step.version) : step.state);
        cell(row, step.approved_on || "\u2014").className = "smsh-date";
        cell(row, step.version ? step.from : "\u2014").className = "smsh-date";
        if (step.version) count += 1;
      });
      status.innerHTML = "";
      status.appendChild(document.createTextNode("As in force on "));
      var when = document.createElement("span");
      when.className = "smsh-date";
      when.textContent = day;
      status.appendChild(when);
      status.appendChild(document.createTextNode(": " + count + " documents."));
    }

    fetch(source).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (json) {
      data = json;
      form.hidden = false;
      input.addEventListener("change", show);
      input.addEventListener("input", show);
      show();
    }).catch(function () { /* the table stays as built */ });
  }

  function printDate() {
    var now = new Date();
    var iso = now.getFullYear() + "-" + ("0" + (now.getMonth() + 1)).slice(-2) + "-" +
      ("0" + now.getDate()).slice(-2);
    Array.prototype.forEach.call(document.querySelectorAll("[data-smsh-print-date]"), function (el) {
      el.textContent = "printed " + iso;
    });
    /* The footer in the page margins reads it (a CSS string) in its content. */
    document.documentElement.style.setProperty("--smsh-print-date", '"printed ' + iso + '"');
  }

  /* Without margin boxes (CSS Paged Media; Chromium 131 and later have them) a printout
     shows the header and footer once, in the flow of the first sheet. */
  if (typeof window.CSSMarginRule === "undefined") {
    document.documentElement.classList.add("smsh-no-margin-boxes");
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table.smsh-register"), enhance);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-smsh-in-force]"), inForce);
    printDate();
    /* Material's search dialog has no accessible name; give it one. */
    Array.prototype.forEach.call(document.querySelectorAll(".md-search[role=dialog]"), function (el) {
      if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", "Search");
    });
  }

  window.addEventListener("beforeprint", printDate);

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init); /* Material's instant navigation */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
