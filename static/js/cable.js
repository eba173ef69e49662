// Cable page: copy paragraph permalinks, highlight search terms carried from the results.
(function () {
  "use strict";

  var status = document.querySelector(".copy-status");

  function announce(text) {
    if (status) { status.textContent = text; }
  }

  function copied(button, url) {
    button.dataset.copied = url;
    button.textContent = "Copied";
    announce("Link copied: " + url);
    window.setTimeout(function () { button.textContent = "Copy link"; }, 2000);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".copy-link");
    if (!button) { return; }
    var url = button.dataset.permalink;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(
        function () { copied(button, url); },
        function () { fallbackCopy(button, url); }
      );
    } else {
      fallbackCopy(button, url);
    }
  });

  function fallbackCopy(button, url) {
    var field = document.createElement("textarea");
    field.value = url;
    field.setAttribute("readonly", "");
    field.className = "offscreen";
    document.body.appendChild(field);
    field.select();
    try { document.execCommand("copy"); } catch (e) { /* the link stays visible below */ }
    document.body.removeChild(field);
    copied(button, url);
  }

  // --- search terms -----------------------------------------------------------------
  var termsNode = document.getElementById("search-terms");
  if (!termsNode) { return; }
  var terms = JSON.parse(termsNode.textContent || "[]");
  if (!terms.length) { return; }

  function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // Indexes stem words, so "election" also finds "elections": match word starts.
  var patterns = terms.map(function (term) {
    var prefix = term.endsWith("*");
    var words = term.replace(/\*$/, "").split(/\s+/).filter(Boolean).map(escapeRegExp);
    return "\\b" + words.join("\\W+") + (prefix ? "\\w*" : "\\w{0,4}\\b");
  });
  var regex = new RegExp("(" + patterns.join("|") + ")", "giu");

  var marks = [];
  document.querySelectorAll(".para-text").forEach(function (block) {
    var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) { nodes.push(walker.currentNode); }
    nodes.forEach(function (node) {
      var text = node.nodeValue;
      regex.lastIndex = 0;
      if (!regex.test(text)) { return; }
      regex.lastIndex = 0;
      var fragment = document.createDocumentFragment();
      var last = 0;
      text.replace(regex, function (match, _group, offset) {
        fragment.appendChild(document.createTextNode(text.slice(last, offset)));
        var mark = document.createElement("mark");
        mark.className = "term";
        mark.textContent = match;
        fragment.appendChild(mark);
        marks.push(mark);
        last = offset + match.length;
        return match;
      });
      fragment.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(fragment, node);
    });
  });

  var nav = document.querySelector(".term-nav");
  if (!nav) { return; }
  nav.hidden = false;
  var count = nav.querySelector(".term-count");
  var current = -1;

  function show(index) {
    if (!marks.length) { return; }
    if (current >= 0) { marks[current].classList.remove("current"); }
    current = (index + marks.length) % marks.length;
    marks[current].classList.add("current");
    marks[current].scrollIntoView({ block: "center" });
    count.textContent = "Match " + (current + 1) + " of " + marks.length;
  }

  count.textContent = marks.length + " match" + (marks.length === 1 ? "" : "es");
  nav.querySelector(".term-next").addEventListener("click", function () { show(current + 1); });
  nav.querySelector(".term-prev").addEventListener("click", function () { show(current - 1); });
})();
