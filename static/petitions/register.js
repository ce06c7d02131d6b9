// The registration form (来访人员登记表): person rows, cascading pickers, repeat check trigger.
// Loaded as a static file (CSP: script-src 'self'); the form works without it, only less comfortably.
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form) { return; }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); });
  }
  function results(data) { return Array.isArray(data) ? data : (data.results || []); }
  function option(value, label) {
    var o = document.createElement("option");
    o.value = value; o.textContent = label; return o;
  }

  // Repeat check ---------------------------------------------------------------------------
  var panel = document.getElementById("repeat-panel");
  var SOURCES = /(^title$|^content$|^locality_code$|-(name|id_number|phone|address)$)/;
  function recheck() { if (panel && window.htmx) { window.htmx.trigger(panel, "repeat-check"); } }
  form.addEventListener("change", function (e) {
    if (e.target && e.target.name && SOURCES.test(e.target.name)) { recheck(); }
  });

  // Person rows ----------------------------------------------------------------------------
  var rows = document.getElementById("people-rows");
  var template = document.getElementById("person-template");
  var total = form.querySelector("input[name=people-TOTAL_FORMS]");
  var addButton = form.querySelector("[data-add-person]");
  if (addButton && template && total) {
    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var wrapper = document.createElement("div");
      wrapper.innerHTML = html;
      var row = wrapper.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input[type=text]");
      if (first) { first.focus(); }
    });
  }
  rows.addEventListener("click", function (e) {
    var button = e.target.closest("[data-remove-person]");
    if (!button) { return; }
    var row = button.closest("[data-person-row]");
    row.querySelectorAll("input, select").forEach(function (el) {
      if (el.type === "checkbox") { el.checked = false; }
      else if (el.tagName === "SELECT") { el.selectedIndex = 0; }
      else { el.value = ""; }
    });
    row.classList.add("d-none");
    recheck();
  });

  // Cascading pickers ---------------------------------------------------------------------
  // Each picker is a row of selects, one per level; choosing a node loads its children and
  // writes the chosen value (division code, unit code or category id) into the real field.
  function Cascade(container, loadChildren, valueOf, onPick) {
    this.container = container;
    this.target = document.getElementById(container.dataset.target);
    this.loadChildren = loadChildren;
    this.valueOf = valueOf;
    this.onPick = onPick || function () {};
  }
  Cascade.prototype.level = function (depth, parent, selectedId) {
    var self = this;
    var selects = self.container.querySelectorAll("select");
    for (var i = selects.length - 1; i >= depth; i--) { selects[i].remove(); }
    return self.loadChildren(parent).then(function (nodes) {
      if (!nodes.length) { return null; }
      var select = document.createElement("select");
      select.className = "form-select form-select-sm w-auto";
      select.setAttribute("aria-label", "第" + (depth + 1) + "级");
      select.appendChild(option("", "请选择"));
      nodes.forEach(function (n) {
        var o = option(n.id, n.name);
        o.dataset.value = self.valueOf(n);
        select.appendChild(o);
      });
      select.nodes = nodes;
      select.addEventListener("change", function () {
        var chosen = nodes.filter(function (n) { return String(n.id) === select.value; })[0];
        if (chosen) {
          self.target.value = self.valueOf(chosen);
          self.onPick(chosen);
          self.level(depth + 1, chosen);
        } else {
          var prev = depth > 0 ? self.container.querySelectorAll("select")[depth - 1] : null;
          var prevNode = prev && prev.nodes.filter(function (n) { return String(n.id) === prev.value; })[0];
          self.target.value = prevNode ? self.valueOf(prevNode) : "";
          self.level(depth + 1, null).catch(function () {});
        }
        self.target.dispatchEvent(new Event("change", { bubbles: true }));
      });
      self.container.appendChild(select);
      if (selectedId) { select.value = String(selectedId); }
      return select;
    });
  };
  Cascade.prototype.restore = function (chain) {
    var self = this;
    var step = function (depth, parent) {
      if (depth > chain.length) { return; }
      var wanted = chain[depth];
      self.level(depth, parent, wanted && wanted.id).then(function () {
        if (wanted) { step(depth + 1, wanted); }
      });
    };
    step(0, null);
  };

  function unitsUnder(parent, governmentOnly) {
    var url = "/api/units/?is_active=true&page_size=200" + (governmentOnly ? "&kind=government" : "");
    url += parent ? "&parent=" + parent.id : "&level=province";
    return getJSON(url).then(results);
  }

  var localityBox = form.querySelector("[data-cascade=locality]");
  var localityName = form.querySelector("[data-locality-name]");
  var localityCascade = null;
  if (localityBox) {
    localityCascade = new Cascade(localityBox, function (p) { return unitsUnder(p, true); },
      function (n) { return n.division_code; },
      function (n) { if (localityName) { localityName.textContent = n.name; } });
    var chainData = document.getElementById("locality-chain");
    var chain = chainData ? JSON.parse(chainData.textContent) : [];
    localityCascade.restore(chain);
  }

  // The address fills the locality while it is still empty.
  form.addEventListener("change", function (e) {
    if (!e.target.matches("[data-address-input]") || !localityCascade) { return; }
    if (localityCascade.target.value) { return; }
    getJSON("/api/localities/match/?address=" + encodeURIComponent(e.target.value)).then(function (data) {
      if (!data.match || localityCascade.target.value) { return; }
      localityCascade.target.value = data.match.division_code;
      if (localityName) { localityName.textContent = data.match.name + "（按住址判断）"; }
      localityCascade.restore(data.match.chain);
      recheck();
    }).catch(function () {});
  });

  var unitBox = form.querySelector("[data-cascade=unit]");
  var userPicker = form.querySelector("[data-user-picker]");
  var userInput = form.querySelector("[data-user-input]");
  var staffLookups = 0;
  function clearUserPicker() {
    if (!userPicker) { return; }
    if (userInput && userPicker.value && userInput.value === userPicker.value) { userInput.value = ""; }
    userPicker.innerHTML = "";
    userPicker.classList.add("d-none");
  }
  if (unitBox) {
    new Cascade(unitBox, function (p) { return unitsUnder(p, false); }, function (n) { return n.code; },
      function (n) {
        if (!userPicker) { return; }
        // The previous unit's people never stay on offer: the list is emptied at once, and a unit the
        // lookup does not answer for (404: outside the user's area) leaves it empty and hidden.
        var asked = ++staffLookups;
        clearUserPicker();
        getJSON("/api/petitions/staff-lookup/?unit=" + n.id).then(function (users) {
          if (asked !== staffLookups) { return; }  // a later pick overtook this answer
          userPicker.appendChild(option("", users.length ? "（不关联用户）" : "该单位没有系统用户"));
          users.forEach(function (u) { userPicker.appendChild(option(u.username, (u.full_name || u.username) + (u.title ? "，" + u.title : ""))); });
          userPicker.classList.remove("d-none");
        }).catch(function () {});
      }).level(0, null);
    if (userPicker && userInput) {
      userPicker.addEventListener("change", function () { userInput.value = userPicker.value; });
    }
  }

  var categoryBox = form.querySelector("[data-cascade=category]");
  var chooseCategory = null;  // (full path "一级/二级/三级") -> whether the picker now shows it
  var choosingSuggestion = false;
  if (categoryBox) {
    var categorySelect = document.getElementById(categoryBox.dataset.target);
    getJSON("/api/categories/tree/").then(function (tree) {
      var byId = {};
      var byPath = {};
      var walk = function (nodes, parent) {
        nodes.forEach(function (n) {
          n.parent = parent; byId[n.id] = n; byPath[n.full_name] = n; walk(n.children, n);
        });
      };
      walk(tree, null);
      var cascade = new Cascade(categoryBox, function (p) { return Promise.resolve(p ? p.children : tree); },
        function (n) { return String(n.id); });
      var chainOf = function (node) {
        var path = [];
        while (node) { path.unshift(node); node = node.parent; }
        return path;
      };
      categorySelect.classList.add("d-none");
      cascade.restore(chainOf(byId[categorySelect.value]));
      chooseCategory = function (fullPath) {
        var node = byPath[fullPath];
        if (!node) { return false; }
        categorySelect.value = String(node.id);
        cascade.restore(chainOf(node));
        choosingSuggestion = true;
        categorySelect.dispatchEvent(new Event("change", { bubbles: true }));
        choosingSuggestion = false;
        return true;
      };
    }).catch(function () {});
  }

  // Suggestions (insight): a suggested category is a button that fills every level of the picker; the
  // terms that drove it are its title (shown on hover). What the officer finally saves is recorded
  // against the suggestions by the server (insight.services.record_suggestions).
  form.addEventListener("click", function (e) {
    var button = e.target.closest("[data-suggest-category]");
    if (!button) { return; }
    e.preventDefault();
    if (!chooseCategory || !chooseCategory(button.dataset.suggestCategory)) {
      button.classList.add("text-decoration-line-through");
      button.title = "该分类已停用或不在分类目录中，请手工选择";
      return;
    }
    form.querySelectorAll("[data-suggest-category]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
  });
  // A category picked by hand is no longer the suggestion that was clicked.
  form.addEventListener("change", function (e) {
    if (choosingSuggestion || !e.target.matches("[data-category-input]")) { return; }
    form.querySelectorAll("[data-suggest-category][aria-pressed=true]").forEach(function (b) {
      b.setAttribute("aria-pressed", "false");
    });
  });

  // Show what applies ------------------------------------------------------------------------
  var channel = form.querySelector("select[name=channel]");
  function toggleChannelFields() {
    if (!channel) { return; }
    form.querySelectorAll("[data-channels]").forEach(function (el) {
      var applies = el.dataset.channels.split(" ").indexOf(channel.value) >= 0;
      el.classList.toggle("d-none", !applies);
      if (!applies) {
        el.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
        el.querySelectorAll("select").forEach(function (sel) { sel.selectedIndex = 0; });
      }
    });
  }
  if (channel) { channel.addEventListener("change", toggleChannelFields); toggleChannelFields(); }

  var kind = form.querySelector("select[name=kind]");
  var accused = form.querySelector("[data-accused-section]");
  function toggleAccused() { if (kind && accused) { accused.classList.toggle("d-none", kind.value !== "accusation"); } }
  if (kind) { kind.addEventListener("change", toggleAccused); toggleAccused(); }
  var raised = form.querySelector("input[name=raised_before]");
  var where = form.querySelector("input[name=raised_before_where]");
  function toggleWhere() { if (raised && where) { where.disabled = !raised.checked; } }
  if (raised) { raised.addEventListener("change", toggleWhere); toggleWhere(); }
})();
