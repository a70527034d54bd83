// Gallery: like/unlike buttons and infinite scroll. No inline handlers (CSP).
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Likes: one delegated listener, so cards added by infinite scroll work too.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-like-button]");
    if (!button || button.disabled) { return; }
    event.preventDefault();
    var id = button.getAttribute("data-id");
    var action = button.getAttribute("data-action");
    var body = new FormData();
    body.append("id", id);
    body.append("action", action);
    button.disabled = true;
    fetch("/gallery/like/", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok || result.data.status !== "ok") {
        throw new Error(result.data.error || "Could not save the like.");
      }
      var next = action === "like" ? "unlike" : "like";
      button.setAttribute("data-action", next);
      button.setAttribute("aria-pressed", next === "unlike" ? "true" : "false");
      button.firstChild.textContent = next === "unlike" ? "Unlike" : "Like";
      document.querySelectorAll('[data-like-count="' + id + '"]').forEach(function (el) {
        el.textContent = String(result.data.likes);
      });
    }).catch(function (error) {
      window.alert(error.message);
    }).finally(function () {
      button.disabled = false;
    });
  });

  // Infinite scroll: fetch ?page=N&fragment=1 when the end of the list is near.
  var list = document.querySelector("[data-infinite-list]");
  if (!list || !("IntersectionObserver" in window)) { return; }
  var nextPage = parseInt(list.getAttribute("data-next-page"), 10);
  var status = document.querySelector("[data-infinite-status]");
  var pagination = document.querySelector("[data-infinite-pagination]");
  if (!nextPage) { return; }
  if (pagination) { pagination.hidden = true; }
  var loading = false;
  var sentinel = document.createElement("div");
  sentinel.setAttribute("aria-hidden", "true");
  list.parentNode.insertBefore(sentinel, list.nextSibling);

  var observer = new IntersectionObserver(function (entries) {
    if (!entries[0].isIntersecting || loading || !nextPage) { return; }
    loading = true;
    if (status) { status.textContent = "Loading more bookmarks…"; }
    var url = new URL(window.location.href);
    url.searchParams.set("page", String(nextPage));
    url.searchParams.set("fragment", "1");
    fetch(url.toString(), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        if (!html.trim()) {
          nextPage = 0;
          observer.disconnect();
          if (status) { status.textContent = "That's all."; }
          return;
        }
        list.insertAdjacentHTML("beforeend", html);
        nextPage += 1;
        if (status) { status.textContent = ""; }
      })
      .catch(function () {
        nextPage = 0;
        observer.disconnect();
        if (pagination) { pagination.hidden = false; }
        if (status) { status.textContent = ""; }
      })
      .finally(function () { loading = false; });
  }, { rootMargin: "400px" });
  observer.observe(sentinel);
})();
