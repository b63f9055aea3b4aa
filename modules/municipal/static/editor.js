// The week menu editor's dish search: as the cook types into a cell, the tenant's dishes that
// match are listed under the field with their allergens (GET /api/v1/dishes?q=). Arrow keys
// move through the list, Enter or a click picks a dish, Escape closes it. Without this script
// every cell is still a plain field with the browser's own suggestion list, and saving works
// the same.
(function () {
  "use strict";

  var form = document.querySelector("form[data-dish-search]");
  if (!form || !window.fetch) {
    return;
  }
  var allergenNames = {};
  try {
    allergenNames = JSON.parse(form.getAttribute("data-allergen-names") || "{}");
  } catch (e) {
    allergenNames = {};
  }
  var textNew = form.getAttribute("data-text-new") || "";
  var textNone = form.getAttribute("data-text-none") || "";
  var textNotStated = form.getAttribute("data-text-not-stated") || "";
  var textResults = form.getAttribute("data-text-results") || "";
  var counter = 0;

  function foldName(name) {
    return name.trim().split(/\s+/).join(" ").toLowerCase();
  }

  function allergenText(codes) {
    return codes.map(function (code) { return allergenNames[code] || code; }).join(", ");
  }

  // The allergen line under a field, redrawn for the dish now in it.
  function showAllergens(input, dish) {
    var box = document.getElementById(input.id + "-allergens");
    if (!box) {
      return;
    }
    box.textContent = "";
    if (!input.value.trim()) {
      return;
    }
    if (!dish || !dish.allergens_stated) {
      // A new dish, or one whose allergens nobody has stated: an empty list means "unknown".
      var badge = document.createElement("span");
      badge.className = "badge warning";
      badge.textContent = dish ? textNotStated : textNew;
      box.appendChild(badge);
      return;
    }
    if (dish.allergens.length === 0) {
      var none = document.createElement("span");
      none.className = "muted";
      none.textContent = textNone;
      box.appendChild(none);
      return;
    }
    var list = document.createElement("ul");
    list.className = "allergen-list";
    dish.allergens.forEach(function (code) {
      var item = document.createElement("li");
      item.className = "badge";
      item.textContent = allergenNames[code] || code;
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function enhance(input) {
    counter += 1;
    var listId = "dish-suggestions-" + counter;
    var wrapper = document.createElement("div");
    wrapper.className = "dish-combo";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "dish-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", textResults);
    list.hidden = true;
    wrapper.appendChild(list);

    // The browser's own list would compete with this one.
    input.removeAttribute("list");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var dishes = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < options.length; i += 1) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function pick(index) {
      var dish = dishes[index];
      if (!dish) {
        return;
      }
      input.value = dish.name;
      showAllergens(input, dish);
      close();
    }

    function render() {
      list.textContent = "";
      dishes.forEach(function (dish, index) {
        var option = document.createElement("li");
        option.id = listId + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.textContent = dish.name;
        option.appendChild(name);
        var allergens = document.createElement("span");
        allergens.className = "suggestion-allergens";
        allergens.textContent = !dish.allergens_stated
          ? textNotStated
          : dish.allergens.length ? allergenText(dish.allergens) : textNone;
        option.appendChild(allergens);
        // Picked before the field loses focus to the click.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          pick(index);
        });
        list.appendChild(option);
      });
      var open = dishes.length > 0 && document.activeElement === input;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      active = -1;
    }

    function search() {
      var query = input.value.trim();
      if (query.length < 2) {
        dishes = [];
        close();
        return;
      }
      asked += 1;
      var ticket = asked;
      fetch("/api/v1/dishes?per_page=8&q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (page) {
          if (ticket !== asked) {
            return; // an answer to an older question
          }
          dishes = page.items || [];
          render();
          var typed = foldName(input.value);
          var exact = dishes.filter(function (dish) { return foldName(dish.name) === typed; })[0];
          showAllergens(input, exact || null);
        })
        .catch(function () {
          dishes = [];
          close();
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
      if (!input.value.trim()) {
        showAllergens(input, null);
      }
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && dishes.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
          mark(0);
          event.preventDefault();
        }
        return;
      }
      if (event.key === "ArrowDown") {
        mark(Math.min(active + 1, dishes.length - 1));
        event.preventDefault();
      } else if (event.key === "ArrowUp") {
        mark(Math.max(active - 1, 0));
        event.preventDefault();
      } else if (event.key === "Enter" && active >= 0) {
        pick(active);
        event.preventDefault();
      } else if (event.key === "Escape") {
        close();
        event.preventDefault();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 100);
    });
  }

  var inputs = form.querySelectorAll("input[data-dish-input]");
  for (var i = 0; i < inputs.length; i += 1) {
    enhance(inputs[i]);
  }

  // Saving: the week is posted by fetch first, so a session that ended in between does not
  // lose what was typed. 401: the sign-in dialog (/static/reauth.js) opens in place, and the
  // save is sent again with the new session's CSRF token. A save that went through follows
  // its redirect (the page then says "Saved"); any other answer is the form's own page (errors
  // next to the fields, or both versions of a conflict), posted again the plain way. A
  // refusal with a reason (problem+json) or a lost connection is said beside the button, and
  // the typed values stay.
  var saveState = form.querySelector("[data-save-state]");
  var sending = false;

  function say(kind, message) {
    if (!saveState) {
      return;
    }
    saveState.className = "save-state " + kind;
    saveState.textContent = message;
  }

  function send() {
    sending = true;
    say("saving", form.getAttribute("data-text-saving") || "");
    var body = new URLSearchParams(new FormData(form));
    return fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-requested-with": "fetch"
      },
      body: body.toString()
    }).then(function (response) {
      if (response.status === 401) {
        say("failed", form.getAttribute("data-text-session") || "");
        sending = false;
        if (!window.GalleyReauth) {
          return undefined;
        }
        return window.GalleyReauth.signIn().then(send, function () {
          say("failed", form.getAttribute("data-text-session") || "");
        });
      }
      if (response.ok && response.redirected) {
        window.location.assign(response.url);
        return undefined;
      }
      if (response.status === 403) {
        sending = false;
        say("failed", form.getAttribute("data-text-no-access") || "");
        return undefined;
      }
      var type = response.headers.get("content-type") || "";
      if (type.indexOf("problem+json") >= 0) {
        return response.json().then(function (problem) {
          sending = false;
          var reasons = (problem.errors || []).map(function (e) { return e.reason; });
          say("failed", reasons.join(" ") || problem.detail || problem.title || "");
        });
      }
      // Errors next to the fields or a conflict: the form's own page shows them.
      HTMLFormElement.prototype.submit.call(form);
      return undefined;
    }, function () {
      sending = false;
      say("failed", form.getAttribute("data-text-network") || "");
    });
  }

  if (window.URLSearchParams && window.FormData) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!sending) {
        send();
      }
    });
  }
})();
