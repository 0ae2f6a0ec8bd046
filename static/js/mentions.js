// "@" in a text area that offers mentions (data-mentions: the people-suggest address)
// lists the organisation's people as the person types: names, email addresses, pinyin.
// Arrow keys move through the list, Enter or Tab inserts @[Name](user:ID), Escape closes.
// The text area keeps the focus (aria-activedescendant points at the chosen option);
// a live region says how many people match. Without script, the same form still posts.
(function () {
  "use strict";

  var TRIGGER = /(^|[\s(（，。、])@([^\s@\[\]()]{0,30})$/;
  var count = 0;

  function setUp(area) {
    if (area.dataset.mentionsReady) return;
    area.dataset.mentionsReady = "1";
    count += 1;
    var listId = "mention-list-" + count;
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", area.dataset.mentionsLabel || "People");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    area.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", listId);

    var people = [];
    var active = -1;
    var match = null; // {start, end} of "@query" in the text
    var timer = null;
    var request = null;

    function close() {
      list.hidden = true;
      list.textContent = "";
      people = [];
      active = -1;
      match = null;
      area.removeAttribute("aria-activedescendant");
    }

    function choose(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) {
        area.setAttribute("aria-activedescendant", listId + "-" + index);
        list.children[index].scrollIntoView({ block: "nearest" });
      } else {
        area.removeAttribute("aria-activedescendant");
      }
    }

    function insert(index) {
      var person = people[index];
      if (!person || !match) return;
      var name = person.name.replace(/[\[\]\n]/g, " ").trim();
      var text = "@[" + name + "](user:" + person.id + ") ";
      var value = area.value;
      area.value = value.slice(0, match.start) + text + value.slice(match.end);
      var caret = match.start + text.length;
      area.setSelectionRange(caret, caret);
      close();
      area.dispatchEvent(new Event("input", { bubbles: true }));
      status.textContent = (area.dataset.mentionsChosen || "Mentioned: %s").replace("%s", name);
    }

    function show(found) {
      people = found;
      list.textContent = "";
      found.forEach(function (person, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.className = "mention-name";
        name.textContent = person.name;
        var email = document.createElement("small");
        email.className = "muted";
        email.textContent = " " + person.email;
        item.appendChild(name);
        item.appendChild(email);
        // Chosen on mousedown, before the text area would lose the focus.
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          insert(i);
        });
        list.appendChild(item);
      });
      list.hidden = found.length === 0;
      status.textContent = found.length
        ? (area.dataset.mentionsFound || "%s people found").replace("%s", found.length)
        : area.dataset.mentionsNone || "Nobody found";
      choose(found.length ? 0 : -1);
    }

    function lookUp() {
      var caret = area.selectionStart;
      var before = area.value.slice(0, caret);
      var found = TRIGGER.exec(before);
      if (!found || area.selectionStart !== area.selectionEnd) {
        close();
        return;
      }
      match = { start: caret - found[2].length - 1, end: caret };
      var query = found[2];
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (request) request.abort();
        request = new AbortController();
        var url = area.dataset.mentions + "?q=" + encodeURIComponent(query);
        fetch(url, {
          signal: request.signal,
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) {
            return response.ok ? response.json() : { people: [] };
          })
          .then(function (answer) {
            if (match) show(answer.people || []);
          })
          .catch(function () {});
      }, 120);
    }

    area.addEventListener("input", lookUp);
    area.addEventListener("click", lookUp);
    area.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
    area.addEventListener("keydown", function (event) {
      if (list.hidden || !people.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        choose((active + 1) % people.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        choose((active - 1 + people.length) % people.length);
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        insert(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        close();
      }
    });
  }

  function setUpAll(root) {
    Array.prototype.forEach.call(
      (root || document).querySelectorAll("textarea[data-mentions]"),
      setUp
    );
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpAll(document);
  });
  document.addEventListener("htmx:load", function (event) {
    setUpAll(event.target);
  });
})();
