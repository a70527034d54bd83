// Follow / unfollow from a member page without reloading it. The form still works
// without JavaScript (the server then redirects back to the member page).
(function () {
  "use strict";
  document.querySelectorAll("form[data-follow-form]").forEach(function (form) {
    var button = form.querySelector("button[type=submit]");
    var actionInput = form.querySelector("input[name=action]");
    var status = form.parentElement.querySelector("[data-follow-status]");
    var count = document.querySelector("[data-followers-count]");

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      // Not form.action: the hidden input named "action" shadows that property.
      fetch(form.getAttribute("action"), {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: {
          "Accept": "application/json",
          "X-Requested-With": "XMLHttpRequest",
          "X-CSRFToken": form.querySelector("input[name=csrfmiddlewaretoken]").value
        }
      })
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (result) {
          if (!result.ok || result.data.status !== "ok") {
            throw new Error(result.data.error || "Something went wrong.");
          }
          var following = actionInput.value === "follow";
          actionInput.value = following ? "unfollow" : "follow";
          button.textContent = following ? "Unfollow" : "Follow";
          button.classList.toggle("button-secondary", following);
          if (count) { count.textContent = String(result.data.followers); }
          if (status) { status.textContent = following ? "You now follow this member." : "You no longer follow this member."; }
        })
        .catch(function (error) {
          if (status) { status.textContent = error.message; }
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  });
})();
