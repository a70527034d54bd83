// The bookmarklet's script, loaded into ANY page by the "Bookmark it" link.
// It shows the page's images (at least 100×100) over the page; clicking one opens
// <our origin>/gallery/create/?url=…&title=… in a new window. Everything it adds
// lives in one container that a second click on the bookmarklet removes.
(function () {
  "use strict";
  var MIN_SIZE = 100;
  var ID = "mysite-bookmarklet";
  var script = document.currentScript;
  var origin = (script && script.dataset.origin) ||
    (script ? new URL(script.src).origin : "");
  if (!origin) { return; }

  var existing = document.getElementById(ID);
  if (existing) { existing.remove(); return; }

  var seen = {};
  var images = Array.prototype.filter.call(document.images, function (img) {
    var src = img.currentSrc || img.src;
    if (!/^https?:\/\//i.test(src) || seen[src]) { return false; }
    if (img.naturalWidth < MIN_SIZE || img.naturalHeight < MIN_SIZE) { return false; }
    seen[src] = true;
    return true;
  });

  var box = document.createElement("div");
  box.id = ID;
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", "Choose an image to bookmark");
  box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
    "background:rgba(20,24,30,.92);padding:16px;font:16px/1.4 system-ui,sans-serif;color:#fff;";

  var bar = document.createElement("div");
  bar.style.cssText = "display:flex;justify-content:space-between;align-items:center;margin-bottom:12px;";
  var heading = document.createElement("strong");
  heading.textContent = images.length ?
    "Choose an image to bookmark" : "No image of at least 100×100 pixels on this page.";
  var close = document.createElement("button");
  close.type = "button";
  close.textContent = "Close";
  close.style.cssText = "font:inherit;padding:6px 14px;cursor:pointer;";
  close.addEventListener("click", function () { box.remove(); });
  bar.appendChild(heading);
  bar.appendChild(close);
  box.appendChild(bar);

  var grid = document.createElement("div");
  grid.style.cssText = "display:flex;flex-wrap:wrap;gap:12px;";
  images.forEach(function (img) {
    var src = img.currentSrc || img.src;
    var choice = document.createElement("button");
    choice.type = "button";
    choice.title = img.alt || src;
    choice.style.cssText = "width:180px;height:180px;padding:0;border:3px solid #fff;" +
      "background:#fff center/contain no-repeat;cursor:pointer;";
    var thumb = document.createElement("img");
    thumb.src = src;
    thumb.alt = img.alt || "";
    // Its size is known already: no layout shift; off-screen choices load on scroll.
    thumb.width = img.naturalWidth;
    thumb.height = img.naturalHeight;
    thumb.loading = "lazy";
    thumb.style.cssText = "max-width:100%;max-height:100%;width:auto;height:auto;" +
      "display:block;margin:auto;";
    choice.appendChild(thumb);
    choice.addEventListener("click", function () {
      var target = origin + "/gallery/create/?url=" + encodeURIComponent(src) +
        "&title=" + encodeURIComponent(document.title || "");
      window.open(target, "_blank", "noopener");
      box.remove();
    });
    grid.appendChild(choice);
  });
  box.appendChild(grid);
  document.body.appendChild(box);
  close.focus();
})();
