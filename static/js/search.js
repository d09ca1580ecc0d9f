// The header's search box, enhanced: while typing, a list of matching
// products (and "did you mean" corrections) from /search/suggest/, as an ARIA
// combobox with a listbox. Arrow keys move through the options, Enter opens
// the chosen one, Escape closes the list. Without this script the box is a
// plain GET form to /products/, which works the same.
(function () {
  "use strict";

  var DELAY_MS = 150;

  function init() {
    var input = document.getElementById("site-search");
    var form = input && input.form;
    var url = form && form.getAttribute("data-suggest-url");
    if (!url) return;

    var listbox = document.createElement("ul");
    listbox.id = "site-search-listbox";
    listbox.className = "search-suggestions";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", input.getAttribute("data-suggest-label") || "Suggestions");
    listbox.hidden = true;
    form.appendChild(listbox);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");

    var timer = null;
    var controller = null;
    var active = -1;
    var lastQuery = "";

    function options() {
      return Array.prototype.slice.call(listbox.querySelectorAll("[role=option]"));
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = options();
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function option(id, text, href, extra) {
      var li = document.createElement("li");
      li.id = id;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-href", href);
      var label = document.createElement("span");
      label.textContent = text;
      li.appendChild(label);
      if (extra) {
        var small = document.createElement("span");
        small.className = "search-suggestion-extra";
        small.textContent = extra;
        li.appendChild(small);
      }
      li.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the box
        window.location.href = href;
      });
      return li;
    }

    function render(data) {
      listbox.textContent = "";
      var currency = form.getAttribute("data-currency") || "";
      var listUrl = form.getAttribute("action");
      (data.suggestions || []).forEach(function (text, i) {
        var prefix = form.getAttribute("data-did-you-mean") || "Did you mean";
        listbox.appendChild(option("site-search-s" + i, prefix + ": " + text,
          listUrl + "?q=" + encodeURIComponent(text)));
      });
      (data.products || []).forEach(function (product, i) {
        listbox.appendChild(option("site-search-p" + i, product.title, product.url,
          product.price ? currency + " " + product.price : ""));
      });
      if ((data.products || []).length && data.query) {
        var seeAll = form.getAttribute("data-see-all") || "See all results for “%s”";
        listbox.appendChild(option("site-search-all", seeAll.replace("%s", data.query),
          listUrl + "?q=" + encodeURIComponent(data.query)));
      }
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (listbox.children.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query === lastQuery) return;
      lastQuery = query;
      if (query.length < 2) { close(); return; }
      if (controller) controller.abort();
      controller = "AbortController" in window ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && input.value.trim() === query) render(data);
        })
        .catch(function () { /* the plain form still works */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      if (event.key === "ArrowDown") {
        if (!open) { lastQuery = ""; fetchSuggestions(); return; }
        event.preventDefault();
        highlight(active + 1);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        window.location.href = options()[active].getAttribute("data-href");
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
