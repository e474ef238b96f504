/* Deep Learning Foundations: small fixes to sphinx-book-theme's behaviour.
 *
 * Navigation buttons on every width. The theme's scripts attach their handlers to the *first*
 * element matching ".primary-toggle" (the chapter list) and ".secondary-toggle" (the contents).
 * sphinx-book-theme renders two of each, and the first is a hidden copy in the header, so the
 * buttons a reader sees did nothing (on a phone: no navigation at all). Each visible copy
 * forwards its click to the first one, where the handlers live: on a desktop that collapses the
 * sidebar, on a phone it opens the drawer.
 *
 * Hover previews. Pointing at a reference to a theorem, an equation, a figure or an exercise (a
 * link whose target is a numbered block, on this page or another page of the site) shows that
 * block in a small box, as the page renders it, with its mathematics typeset. Pages are fetched
 * from the site itself (no network beyond it); where fetching is impossible (a page opened from
 * disk), nothing is shown. Focus (keyboard) works as hover does; Escape closes the box.
 *
 * Accessible names. A button that shows text but carries an aria-label without that text (the
 * theme's search field shows "Search Ctrl+K", the code toggles "Show code cell source") is
 * announced under a name a speech-input user cannot say; its label gains the visible text. The
 * sidebar's expand toggles (a chevron icon in a <summary>, next to a page with sub-pages) have no
 * text at all; they are named after the page they open ("Show or hide: API reference").
 */
(function () {
  function names() {
    document.querySelectorAll("button[aria-label], summary[aria-label]").forEach(function (el) {
      var text = (el.innerText || "").replace(/\s+/g, " ").trim();
      var label = el.getAttribute("aria-label");
      if (!text || label.toLowerCase().indexOf(text.toLowerCase()) >= 0) return;
      if (el.tagName === "SUMMARY") {
        el.removeAttribute("aria-label"); // its visible text ("Show code cell source") names it
      } else {
        el.setAttribute("aria-label", text);
      }
    });
    document.querySelectorAll("summary").forEach(function (el) {
      if ((el.innerText || "").trim() || el.getAttribute("aria-label")) return;
      var item = el.closest("li");
      var link = item && item.querySelector(":scope > a");
      var page = link ? (link.textContent || "").replace(/\s+/g, " ").trim() : "";
      el.setAttribute("aria-label", page ? "Show or hide: " + page : "Show or hide sub-pages");
    });
  }
  function forward() {
    [".primary-toggle", ".secondary-toggle"].forEach(function (selector) {
      var buttons = document.querySelectorAll(selector);
      for (var i = 1; i < buttons.length; i++) {
        buttons[i].addEventListener("click", function (event) {
          event.preventDefault();
          event.stopPropagation();
          buttons[0].click();
        });
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", forward);
  } else {
    forward();
  }
  // --- inline formulas that fit do not scroll ----------------------------------------------------
  // dlf.css lets an inline formula scroll when it is wider than the column. A formula that fits
  // can still overhang its box by a pixel or three (an italic letter, a superscript), which would
  // make it a scroll container with a scrollbar on desktops with classic scrollbars: once MathJax
  // has typeset the page (and after every resize), such formulas are set back to overflow:visible.
  function fitMath() {
    document.querySelectorAll("span.math").forEach(function (s) {
      s.style.overflow = "";
      var m = s.querySelector("mjx-math");
      if (m && m.getBoundingClientRect().width <= s.clientWidth + 1) s.style.overflow = "visible";
    });
    document.documentElement.setAttribute("data-dlf-math-fitted", "1");
  }
  function whenTypeset(tries) {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(fitMath);
    } else if (tries > 0 && document.querySelector("span.math")) {
      setTimeout(function () { whenTypeset(tries - 1); }, 100);
    }
  }
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(fitMath, 150);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { whenTypeset(300); });
  } else {
    whenTypeset(300);
  }
  // other scripts add their buttons when the page has loaded: name them afterwards
  window.addEventListener("load", function () {
    names();
    setTimeout(names, 500);
  });
  // --- hover previews ------------------------------------------------------------------------
  var PREVIEWABLE = "div.proof, div.exercise, div.solution, div.math, figure, div.admonition";
  var pages = {};
  var tip = null;
  var timer = null;

  function target(link) {
    var url = new URL(link.getAttribute("href"), window.location.href);
    if (!url.hash || url.origin !== window.location.origin) return null;
    return {page: url.pathname, id: decodeURIComponent(url.hash.slice(1))};
  }

  function fetchPage(path) {
    if (path === window.location.pathname) return Promise.resolve(document);
    if (!pages[path]) {
      pages[path] = fetch(path).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.text();
      }).then(function (text) {
        return new DOMParser().parseFromString(text, "text/html");
      });
    }
    return pages[path];
  }

  function blockOf(doc, id) {
    var el = doc.getElementById(id);
    if (!el) return null;
    if (!el.matches(PREVIEWABLE)) el = el.closest(PREVIEWABLE) || el.querySelector(PREVIEWABLE);
    return el;
  }

  function hide() {
    if (tip) tip.remove();
    tip = null;
  }

  function show(link) {
    var t = target(link);
    if (!t) return;
    fetchPage(t.page).then(function (doc) {
      var block = blockOf(doc, t.id);
      if (!block || !link.matches(":hover, :focus")) return;
      hide();
      tip = document.createElement("div");
      tip.className = "dlf-preview";
      tip.setAttribute("role", "tooltip");
      var copy = block.cloneNode(true);
      copy.querySelectorAll("[id]").forEach(function (e) { e.removeAttribute("id"); });
      copy.removeAttribute("id");
      copy.querySelectorAll("details.dlf-ledger, .headerlink").forEach(function (e) {
        e.remove();
      });
      tip.appendChild(copy);
      document.body.appendChild(tip);
      var r = link.getBoundingClientRect();
      var width = Math.min(560, window.innerWidth - 16);
      tip.style.maxWidth = width + "px";
      tip.style.left = Math.max(8, Math.min(r.left + window.scrollX,
        window.scrollX + window.innerWidth - width - 8)) + "px";
      tip.style.top = (r.bottom + window.scrollY + 6) + "px";
      if (doc !== document && window.MathJax && MathJax.typesetPromise) {
        MathJax.typesetPromise([tip]).catch(function () {});
      }
    }).catch(function () {});
  }

  function previews() {
    document.querySelectorAll("a.reference.internal").forEach(function (link) {
      if (!target(link)) return;
      var enter = function () {
        clearTimeout(timer);
        timer = setTimeout(function () { show(link); }, 250);
      };
      var leave = function () {
        clearTimeout(timer);
        hide();
      };
      link.addEventListener("mouseenter", enter);
      link.addEventListener("focus", enter);
      link.addEventListener("mouseleave", leave);
      link.addEventListener("blur", leave);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") hide();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", previews);
  } else {
    previews();
  }
})();
