// Search boxes: people, parties, elections, TAGS and posts suggested as one types, in a
// listbox under the box (the WAI-ARIA combobox pattern, list autocomplete with manual
// selection). Picking one narrows the search to it with its facet; Enter with nothing picked
// searches the typed words as before. Without this script the forms work as they always did.
(function () {
  "use strict";

  var script = document.currentScript;
  var endpoint = script && script.dataset.suggestUrl;
  if (!endpoint || !window.fetch || !window.URLSearchParams) { return; }

  var DELAY = 150;      // ms of quiet typing before asking
  var MIN_LENGTH = 2;   // the endpoint answers nothing shorter
  var answers = {};     // typed text -> results, for this page
  var boxes = 0;

  function folded(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  function enhance(input) {
    var form = input.form;
    boxes += 1;
    var id = "suggest-" + boxes;
    var wrap = document.createElement("div");
    wrap.className = "suggest";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);

    var list = document.createElement("ul");
    list.id = id + "-list";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    // A press in the list (an option, its scrollbar) leaves the focus in the box.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    wrap.appendChild(list);

    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrap.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;     // the newest request; older answers arriving late are dropped
    var pending = "";  // the text to suggest for
    var shownFor = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (!results.length) { close(); return; }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function setActive(index) {
      var options = list.children;
      if (active >= 0 && options[active]) { options[active].setAttribute("aria-selected", "false"); }
      active = index;
      if (active < 0) { input.removeAttribute("aria-activedescendant"); return; }
      var option = options[active];
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function part(tag, className, text) {
      var element = document.createElement(tag);
      element.className = className;
      element.textContent = text;
      return element;
    }

    function show(text, found) {
      results = found;
      shownFor = text;
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      found.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = id + "-option-" + index;
        option.className = "suggestion suggestion-" + item.kind;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.appendChild(part("span", "suggestion-kind", item.kind_label));
        option.appendChild(part("span", "suggestion-label", item.label));
        if (item.cables !== null) {
          option.appendChild(part("span", "suggestion-count",
            item.cables + (item.cables === 1 ? " cable" : " cables")));
        }
        var detail = item.detail || "";
        if (item.matched) { detail = "as “" + item.matched + "”" + (detail ? " · " + detail : ""); }
        if (detail) { option.appendChild(part("span", "suggestion-detail", detail)); }
        option.addEventListener("click", function () { pick(index); });
        list.appendChild(option);
      });
      status.textContent = found.length
        ? found.length + (found.length === 1 ? " suggestion" : " suggestions") +
          ": use the up and down arrow keys, then Enter."
        : "";
      if (document.activeElement === input) { open(); } else { close(); }
    }

    function ask(text) {
      if (answers.hasOwnProperty(text)) { show(text, answers[text]); return; }
      var number = ++asked;
      fetch(endpoint + "?" + new URLSearchParams({ q: text }), {
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        // 400 (bad input) or 429 (typing faster than the rate): no suggestions, no fuss.
        return response.ok ? response.json() : { results: [] };
      }).then(function (data) {
        if (data.results) { answers[text] = data.results; }
        if (number === asked && text === pending) { show(text, data.results || []); }
      }).catch(function () {
        if (number === asked && text === pending) { show(text, []); }
      });
    }

    function changed() {
      window.clearTimeout(timer);
      pending = input.value.trim();
      if (folded(pending).length < MIN_LENGTH) {
        results = [];
        shownFor = null;
        close();
        return;
      }
      if (pending === shownFor) { open(); return; }
      timer = window.setTimeout(function () { ask(pending); }, DELAY);
    }

    // On the search page, the search it shows (query, facets, dates, sort: its address) is
    // narrowed by the facet, and the letters typed to find the suggestion are left out.
    // The header's quick search, and any search box on another page, starts a new search.
    var action = new URL(form.action, window.location.href);
    var narrows = !form.classList.contains("header-search") &&
      action.pathname === window.location.pathname;

    function pick(index) {
      var item = results[index];
      if (!item) { return; }
      var params = new URLSearchParams(narrows ? window.location.search : "");
      params.delete("page");
      if (params.getAll(item.facet.name).indexOf(item.facet.value) === -1) {
        params.append(item.facet.name, item.facet.value);
      }
      close();
      window.location.assign(action.pathname + "?" + params.toString());
    }

    input.addEventListener("input", changed);
    input.addEventListener("keydown", function (event) {
      var count = results.length;
      switch (event.key) {
        case "ArrowDown":
          if (list.hidden) {
            changed();
            if (!list.hidden && count) { setActive(0); }
          } else if (count) {
            setActive(active + 1 >= count ? 0 : active + 1);
          }
          event.preventDefault();
          break;
        case "ArrowUp":
          if (!list.hidden && count) {
            setActive(active <= 0 ? count - 1 : active - 1);
            event.preventDefault();
          }
          break;
        case "Enter":
          if (!list.hidden && active >= 0) {
            event.preventDefault();
            pick(active);
          }
          break;
        case "Escape":
          if (!list.hidden) {
            event.preventDefault();  // a search box would clear itself too
            close();
          }
          break;
        case "Tab":
          close();
          break;
      }
    });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll('form[role="search"] input[name="q"]').forEach(enhance);
})();
