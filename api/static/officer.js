/* wijkreno — the municipal officer's pages: login, logout, register, LEKP.
   Plain JavaScript, no framework; every text comes from the page's config (api/officer_i18n.py).
   State-changing requests carry the CSRF token of the wijkreno_csrf cookie. */
(function () {
  "use strict";

  var CFG = JSON.parse(document.getElementById("officer-config").textContent);
  var S = CFG.strings;
  var LOCALE = CFG.lang === "nl" ? "nl-BE" : "en-GB";
  var state = { page: 1, q: "", rows: [], result: null };
  window.__officer = { ready: false };

  // -- helpers --------------------------------------------------------------------------------
  function $(id) { return document.getElementById(id); }

  function esc(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function tr(key, values) {
    var text = S[key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }

  function cookie(name) {
    var hit = document.cookie.split("; ").filter(function (c) { return c.indexOf(name + "=") === 0; })[0];
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
  }

  function num(x, digits) {
    if (x === null || x === undefined || !isFinite(x)) return "–";
    var d = digits === undefined ? (Math.abs(x) >= 100 || x === Math.round(x) ? 0 : 1) : digits;
    return Number(x).toLocaleString(LOCALE, { minimumFractionDigits: d, maximumFractionDigits: d });
  }

  function isShare(unit) { return ["fractie", "frac", "aandeel"].indexOf(String(unit).toLowerCase()) >= 0; }

  // a goal's unit (lekp_goals.toml, Dutch) in the page's language
  function unitText(unit) { return S["unit_" + unit] || unit; }

  function amount(x, unit) {
    if (x === null || x === undefined) return "–";
    return isShare(unit) ? num(100 * x, 0) + " %" : num(x) + " " + esc(unitText(unit));
  }

  function figure(x, unit) {
    if (x === null || x === undefined) return "–";
    return isShare(unit) ? num(100 * x, 0) + " %" : num(x);
  }

  function dateText(iso) {
    if (!iso) return "–";
    var d = new Date(String(iso).length === 10 ? iso + "T00:00:00" : iso);
    if (isNaN(d.getTime())) return esc(iso);
    var opts = String(iso).length > 10 ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" };
    return d.toLocaleString(LOCALE, opts);
  }

  function api(url, options) {
    options = options || {};
    var headers = options.headers || {};
    headers.Accept = "application/json";
    var method = (options.method || "GET").toUpperCase();
    if (method !== "GET") headers[CFG.csrfHeader] = cookie(CFG.csrfCookie);
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(options.json);
    }
    return fetch(url, { method: method, headers: headers, body: options.body, credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = { detail: text }; }
          if (r.status === 401 && !options.noRedirect) {
            location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
          }
          if (!r.ok) {
            var err = new Error((data && data.detail) || (r.status + " " + r.statusText));
            err.status = r.status;
            throw err;
          }
          return data;
        });
      });
  }

  function show(el, text) { el.textContent = text; el.hidden = !text; }

  // -- login and logout -------------------------------------------------------------------------
  function initLogin() {
    var form = $("login-form");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var error = $("login-error");
      var button = form.querySelector("button[type=submit]");
      var user = $("username").value.trim();
      var pass = $("password").value;
      if (!user || !pass) { show(error, S.login_wrong); return; }
      show(error, "");
      button.disabled = true;
      button.textContent = S.login_busy;
      api("/api/auth/login", { method: "POST", json: { username: user, password: pass }, noRedirect: true })
        .then(function () { location.assign(CFG.next || "/officer"); })
        .catch(function (e) {
          show(error, e.status === 401 ? S.login_wrong : S.login_failed + ": " + e.message);
          button.disabled = false;
          button.textContent = S.login_button;
          $("password").focus();
        });
    });
  }

  function initLogout() {
    api("/api/auth/logout", { method: "POST", noRedirect: true })
      .then(function () { show($("logout-status"), S.logout_done); window.__officer.loggedOut = true; })
      .catch(function () { show($("logout-status"), S.logout_failed); });
  }

  // -- register -----------------------------------------------------------------------------------
  var FIELDS = CFG.fields || [];

  function choiceLabel(field, code) {
    if (!field.choices) return code;
    var hit = field.choices.filter(function (c) { return c[0] === code; })[0];
    return hit ? hit[1] : code;
  }

  function cellText(field, value) {
    if (value === null || value === undefined || value === "") return "";
    if (field.kind === "bool") return value === true ? S.yes : (value === false ? S.no : String(value));
    if (field.choices) return choiceLabel(field, value);
    if (field.kind === "number" || field.kind === "int") return num(Number(value), field.kind === "int" ? 0 : undefined);
    if (field.kind === "date") return dateText(value);
    return String(value);
  }

  function renderColumns() {
    var h = "<table class='compact'><thead><tr><th>" + esc(S.column) + "</th><th>" + esc(S.meaning) +
      "</th></tr></thead><tbody>";
    FIELDS.forEach(function (f) {
      h += "<tr><th scope='row'><code>" + esc(f.header) + "</code><br><span class='muted small'>" +
        esc(f.required ? S.required : S.optional) + "</span></th><td>" + esc(f.help);
      if (f.choices) {
        h += "<br><span class='muted small'>" + f.choices.map(function (c) { return esc(c[1]); }).join(" · ") + "</span>";
      }
      h += "</td></tr>";
    });
    $("columns").innerHTML = h + "</tbody></table>";
  }

  function base() { return "/api/register/" + CFG.nis + "/" + CFG.kind; }

  function loadRows() {
    var url = "/api/officer/" + CFG.nis + "/" + CFG.kind + "/rows?page=" + state.page +
      "&page_size=" + CFG.pageSize + (state.q ? "&q=" + encodeURIComponent(state.q) : "");
    return api(url).then(function (data) {
      state.rows = data.rows;
      renderRows(data);
    }).catch(function (e) {
      $("rows-table").innerHTML = "<p class='error' role='alert'>" + esc(S.load_error) + ": " + esc(e.message) + "</p>";
    });
  }

  function renderRows(data) {
    // the address parts locate a row on upload and are not stored: the address column shows
    // the located address (a VME row: its building)
    var shown = FIELDS.filter(function (f) { return f.kind !== "address" && f.kind !== "address_part"; });
    var hasAddress = FIELDS.some(function (f) { return f.kind === "address"; });
    $("rows-count").textContent = num(data.n_rows, 0) + " " + (data.n_rows === 1 ? S.n_found_one : S.n_found) + (state.q ? " (" + S.of + " " + num(data.n_total, 0) + ")" : "");
    var pages = Math.max(1, Math.ceil(data.n_rows / data.page_size));
    $("page-info").textContent = S.page + " " + data.page + " / " + pages;
    $("prev-page").disabled = data.page <= 1;
    $("next-page").disabled = data.page >= pages;
    if (!data.rows.length) {
      $("rows-table").innerHTML = "<p class='muted'>" + esc(data.n_total ? S.n_found + ": 0" : S.no_rows) + "</p>";
      return;
    }
    var h = "<table class='rows'><thead><tr><th scope='col'>" + esc(S.id) + "</th><th scope='col'>" + esc(S.action) + "</th>";
    if (hasAddress) h += "<th scope='col'>" + esc(S.address) + "</th>";
    shown.forEach(function (f) { h += "<th scope='col'>" + esc(f.header) + "</th>"; });
    h += "</tr></thead><tbody>";
    data.rows.forEach(function (row, i) {
      var id = row[CFG.idColumn];
      h += "<tr data-row-id='" + esc(id) + "'><td>" + esc(id) + "</td><td class='row-actions'>";
      if (CFG.canWrite) h += "<button type='button' class='button small' data-edit='" + i + "'>" + esc(S.edit) + "</button> ";
      h += "<button type='button' class='button small secondary' data-history='" + esc(id) + "'>" + esc(S.history) + "</button></td>";
      if (hasAddress) {
        var vme = !row.adres_id && row.gebouw_id ? " (" + tr("vme_units", { n: num(row.n_units || 0, 0) }) + ")" : "";
        h += "<td>" + esc((row.address || "") + vme) + (row.adres_id ? "<br><span class='muted small'>" + esc(row.adres_id) + "</span>" : "") + "</td>";
      }
      shown.forEach(function (f) {
        var cls = (f.kind === "number" || f.kind === "int") ? " class='num'" : "";
        h += "<td" + cls + ">" + esc(cellText(f, row[f.column])) + "</td>";
      });
      h += "</tr>";
    });
    $("rows-table").innerHTML = h + "</tbody></table>";
  }

  function renderResult(res) {
    var box = $("upload-result");
    var byRow = {};
    (res.accepted || []).forEach(function (a) { byRow[a.row] = { row: a.row, status: "accepted", id: a[CFG.idColumn] }; });
    (res.rejected || []).forEach(function (r) { byRow[r.row] = { row: r.row, status: "rejected", reason: r.reason, column: r.column }; });
    (res.duplicates || []).forEach(function (d) { byRow[d.row] = { row: d.row, status: "duplicate", reason: d.reason }; });
    var rows = Object.keys(byRow).map(function (k) { return byRow[k]; }).sort(function (a, b) { return a.row - b.row; });
    var h = "<h2>" + esc(S.upload_result) + "</h2>";
    if (res.already_imported) h += "<p class='warning'>" + esc(S.already_imported) + "</p>";
    h += "<p class='summary'><span class='pill'>" + num(res.n_rows, 0) + " " + esc(S.n_rows) + "</span> " +
      "<span class='pill pill-ok'>" + num(res.n_accepted, 0) + " " + esc(S.n_accepted) + "</span> " +
      "<span class='pill pill-bad'>" + num(res.n_rejected, 0) + " " + esc(S.n_rejected) + "</span> " +
      "<span class='pill pill-warn'>" + num(res.n_duplicates, 0) + " " + esc(S.n_duplicates) + "</span></p>";
    if (rows.length) {
      h += "<div class='table-wrap'><table class='result'><thead><tr><th scope='col'>" + esc(S.row) + "</th><th scope='col'>" +
        esc(S.status) + "</th><th scope='col'>" + esc(S.reason) + "</th><th scope='col'><span class='visually-hidden'>" +
        esc(S.action) + "</span></th></tr></thead><tbody>";
      rows.forEach(function (r) {
        h += "<tr class='st-" + r.status + "' data-result-row='" + r.row + "'><td>" + r.row + "</td><td><span class='badge " +
          r.status + "'>" + esc(S["status_" + r.status]) + (r.id !== undefined ? " → " + esc(S.id) + " " + esc(r.id) : "") +
          "</span></td><td>" + esc(r.reason || "") + (r.column ? "<br><span class='muted small'>" + esc(S.column) + ": " + esc(r.column) + "</span>" : "") +
          "</td><td>";
        if (r.status === "rejected" && CFG.canWrite) {
          h += "<button type='button' class='button small' data-correct='" + r.row + "'>" + esc(S.correct) + "</button>";
        }
        h += "</td></tr>";
      });
      h += "</tbody></table></div>";
    }
    box.innerHTML = h;
    box.hidden = false;
  }

  function initUpload() {
    var form = $("upload-form");
    if (!CFG.canWrite) {
      Array.prototype.forEach.call(form.elements, function (el) { el.disabled = true; });
      $("upload-note").hidden = false;
      return;
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var input = $("upload-file");
      var box = $("upload-result");
      if (!input.files.length) {
        box.innerHTML = "<p class='error' role='alert'>" + esc(S.upload_need_file) + "</p>";
        box.hidden = false;
        return;
      }
      var button = $("upload-button");
      button.disabled = true;
      button.textContent = S.upload_busy;
      var data = new FormData();
      data.append("file", input.files[0]);
      api(base() + "/upload", { method: "POST", body: data })
        .then(function (res) {
          state.result = res;
          renderResult(res);
          state.page = 1;
          window.__officer.uploaded = true;
          return loadRows();
        })
        .catch(function (e) {
          box.innerHTML = "<p class='error' role='alert'>" + esc(e.message) + "</p>";
          box.hidden = false;
        })
        .then(function () {
          button.disabled = false;
          button.textContent = S.upload_button;
        });
    });
  }

  // the row form: a rejected file row (add) or a stored row (edit)
  var formMode = null;

  function isoDate(value) {
    var text = String(value === null || value === undefined ? "" : value).trim();
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
    if (m) return m[1] + "-" + m[2] + "-" + m[3];
    m = /^(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})$/.exec(text);
    if (m) return m[3] + "-" + ("0" + m[2]).slice(-2) + "-" + ("0" + m[1]).slice(-2);
    return "";
  }

  function fieldInput(f, value, bad) {
    var id = "rf-" + f.header;
    var text = value === null || value === undefined ? "" : String(value);
    var req = f.required ? " required aria-required='true'" : "";
    var h = "<div class='field" + (bad ? " bad" : "") + "'><label for='" + esc(id) + "'>" + esc(f.header) +
      (f.required ? " <span class='muted small'>(" + esc(S.required) + ")</span>" : "") + "</label>";
    var shownValue = text;
    if (f.choices) {
      var selected = "";
      f.choices.forEach(function (c) {
        var norm = function (t) { return String(t).toLowerCase().replace(/[\s\-_]+/g, ""); };
        if (norm(c[0]) === norm(text) || norm(c[1]) === norm(text)) selected = c[0];
      });
      h += "<select id='" + esc(id) + "' data-header='" + esc(f.header) + "'" + req + "><option value=''>" + esc(S.choose) + "</option>";
      f.choices.forEach(function (c) {
        h += "<option value='" + esc(c[0]) + "'" + (c[0] === selected ? " selected" : "") + ">" + esc(c[1]) + "</option>";
      });
      h += "</select>";
      shownValue = selected ? "" : text;
    } else if (f.kind === "bool") {
      var yes = /^(ja|j|1|true|waar|yes|y)$/i.test(text) || value === true;
      var no = /^(nee|n|0|false|onwaar|no)$/i.test(text) || value === false;
      h += "<select id='" + esc(id) + "' data-header='" + esc(f.header) + "'><option value=''>" + esc(S.choose) + "</option>" +
        "<option value='ja'" + (yes ? " selected" : "") + ">" + esc(S.yes) + "</option>" +
        "<option value='nee'" + (no ? " selected" : "") + ">" + esc(S.no) + "</option></select>";
      shownValue = yes || no || !text ? "" : text;
    } else if (f.kind === "date") {
      var iso = isoDate(text);
      h += "<input id='" + esc(id) + "' type='date' data-header='" + esc(f.header) + "' value='" + esc(iso) + "'" + req + ">";
      shownValue = iso && !bad ? "" : text;
    } else if (f.kind === "address") {
      h += "<input id='" + esc(id) + "' type='text' data-header='" + esc(f.header) + "' value='" + esc(text) + "'" + req + " autocomplete='off'>" +
        "<label for='rf-find' class='sub'>" + esc(S.find_address) + "</label>" +
        "<input id='rf-find' type='search' placeholder='" + esc(S.find_address_placeholder) + "' autocomplete='off'>" +
        "<ul id='rf-found' class='found' hidden></ul>";
      shownValue = "";
    } else {
      var mode = f.kind === "int" ? " inputmode='numeric'" : (f.kind === "number" ? " inputmode='decimal'" : "");
      h += "<input id='" + esc(id) + "' type='text' data-header='" + esc(f.header) + "' value='" + esc(text) + "'" + mode + req + ">";
      shownValue = "";
    }
    if (shownValue) h += "<p class='muted small in-file'>" + esc(S.in_file) + ": «" + esc(shownValue) + "»</p>";
    h += "<p class='muted small'>" + esc(f.help) + "</p></div>";
    return h;
  }

  function openForm(mode) {
    formMode = mode;
    var values = mode.values || {};
    var badCols = (mode.badColumns || "").split(",").map(function (c) { return c.trim(); });
    $("row-dialog-title").textContent = mode.type === "new" ? tr("form_new", { row: mode.row }) : tr("form_edit", { id: mode.id });
    var h = "";
    FIELDS.forEach(function (f) {
      var v = values[f.header];
      if (v === undefined) v = values[f.column];
      h += fieldInput(f, v, badCols.indexOf(f.header) >= 0);
    });
    $("row-fields").innerHTML = h;
    show($("row-error"), "");
    show($("row-ok"), "");
    $("row-save").disabled = false;
    var find = $("rf-find");
    if (find) {
      initAddressFinder(find);
      var idInput = $("row-fields").querySelector("input[data-header='" + FIELDS.filter(function (f) { return f.kind === "address"; })[0].header + "']");
      showAddress(idInput);
      idInput.addEventListener("change", function () { showAddress(idInput); });
    }
    $("row-dialog").showModal();
    var first = $("row-fields").querySelector(".bad select, .bad input") || $("row-fields").querySelector("select, input");
    if (first) first.focus();
  }

  function showAddress(input) {
    var out = $("rf-address");
    if (!out) {
      out = document.createElement("p");
      out.id = "rf-address";
      out.className = "small";
      input.insertAdjacentElement("afterend", out);
    }
    var id = input.value.trim();
    if (!id) { out.textContent = ""; return; }
    api("/api/addresses/" + encodeURIComponent(id)).then(function (a) {
      out.className = "small ok-text";
      out.textContent = "✓ " + a.address;
    }).catch(function () {
      out.className = "small bad-text";
      out.textContent = S.address_unknown;
    });
  }

  function initAddressFinder(input) {
    var timer = null;
    var list = $("rf-found");
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 3) { list.hidden = true; return; }
      timer = setTimeout(function () {
        api("/api/search?limit=8&q=" + encodeURIComponent(q)).then(function (data) {
          list.innerHTML = (data.suggestions || []).map(function (s) {
            return "<li><button type='button' class='link' data-adres='" + esc(s.adres_id) + "'>" + esc(s.label) + "</button></li>";
          }).join("") || "<li class='muted'>–</li>";
          list.hidden = false;
        }).catch(function () { list.hidden = true; });
      }, 250);
    });
    list.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-adres]");
      if (!b) return;
      var target = $("row-fields").querySelector("input[data-header='" + FIELDS.filter(function (f) { return f.kind === "address"; })[0].header + "']");
      target.value = b.getAttribute("data-adres");
      input.value = b.textContent;
      // the picked address replaces the file's street, number, box, postcode and building
      // (left, they would locate the row again and fail as in the file)
      FIELDS.forEach(function (f) {
        if (f.kind !== "address_part" && f.kind !== "building") return;
        var el = $("row-fields").querySelector("[data-header='" + f.header + "']");
        if (!el) return;
        el.value = "";
        var box = el.closest(".field");
        box.classList.remove("bad");
        var was = box.querySelector(".in-file");
        if (was) was.remove();
      });
      list.hidden = true;
      showAddress(target);
      target.focus();
    });
  }

  function formValues() {
    var out = {};
    $("row-fields").querySelectorAll("[data-header]").forEach(function (el) { out[el.getAttribute("data-header")] = el.value.trim(); });
    return out;
  }

  function submitForm(ev) {
    ev.preventDefault();
    var values = formValues();
    var error = $("row-error");
    var ok = $("row-ok");
    show(error, "");
    show(ok, S.saving);
    $("row-save").disabled = true;
    var request;
    if (formMode.type === "new") {
      var clean = {};
      Object.keys(values).forEach(function (k) { if (values[k] !== "") clean[k] = values[k]; });
      request = api("/api/officer/" + CFG.nis + "/" + CFG.kind + "/rows", { method: "POST", json: { values: clean, row: formMode.row } })
        .then(function (res) {
          if (res.n_accepted > 0) {
            var id = res.accepted[0][CFG.idColumn];
            show(ok, tr("added", { id: id }));
            markCorrected(formMode.row, id);
            window.__officer.corrected = id;
            return loadRows().then(function () { setTimeout(function () { $("row-dialog").close(); }, 900); });
          }
          show(ok, "");
          var reasons = (res.rejected || []).map(function (r) { return r.reason; })
            .concat((res.duplicates || []).map(function (d) { return d.reason; }));
          if (res.already_imported) reasons.push(S.already_imported);
          throw new Error(reasons.join("; ") || res.message);
        });
    } else {
      var changes = {};
      FIELDS.forEach(function (f) {
        var now = values[f.header];
        var old = formMode.values[f.column];
        var oldText = old === null || old === undefined ? "" : (f.kind === "bool" ? (old ? "ja" : "nee") : String(old));
        if (f.kind === "date") oldText = isoDate(oldText);
        if (now !== oldText) changes[f.column] = now === "" ? null : now;
      });
      if (!Object.keys(changes).length) { $("row-dialog").close(); return; }
      request = api(base() + "/" + formMode.id, { method: "PATCH", json: { changes: changes } })
        .then(function () {
          show(ok, S.saved);
          window.__officer.edited = formMode.id;
          return loadRows().then(function () { setTimeout(function () { $("row-dialog").close(); }, 700); });
        });
    }
    request.catch(function (e) {
      show(ok, "");
      show(error, S.save_failed + ": " + e.message);
      $("row-save").disabled = false;
    });
  }

  function markCorrected(row, id) {
    var tr_ = document.querySelector("#upload-result tr[data-result-row='" + row + "']");
    if (!tr_) return;
    tr_.className = "st-accepted";
    tr_.children[1].innerHTML = "<span class='badge accepted'>" + esc(S.status_accepted) + " → " + esc(S.id) + " " + esc(id) + "</span>";
    tr_.children[2].innerHTML = "";  // the rejection's reason no longer holds
    tr_.children[3].innerHTML = "";
  }

  function showHistory(id) {
    $("history-title").textContent = tr("history_title", { id: id });
    $("history-body").innerHTML = "<p class='muted'>…</p>";
    $("history-dialog").showModal();
    api("/api/officer/" + CFG.nis + "/" + CFG.kind + "/" + id + "/audit").then(function (data) {
      var byColumn = {};
      FIELDS.forEach(function (f) { byColumn[f.column] = f; });
      var h = "<table class='compact'><thead><tr><th scope='col'>" + esc(S.when) + "</th><th scope='col'>" + esc(S.who) +
        "</th><th scope='col'>" + esc(S.action) + "</th><th scope='col'>" + esc(S.change) + "</th></tr></thead><tbody>";
      data.entries.forEach(function (e) {
        var change = "";
        if (e.action === "update" && e.new_values) {
          change = Object.keys(e.new_values).map(function (k) {
            var f = byColumn[k] || { kind: "text", header: k };
            var old = e.old_values ? e.old_values[k] : null;
            return "<b>" + esc(f.header) + "</b>: " + esc(cellText(f, old) || "–") + " → " + esc(cellText(f, e.new_values[k]) || "–");
          }).join("<br>");
        } else if (e.file_name) {
          change = esc(S.via_upload) + " <code>" + esc(e.file_name) + "</code>";
        }
        h += "<tr><td>" + dateText(e.when) + "</td><td>" + esc(e.who) + "</td><td>" + esc(S["action_" + e.action] || e.action) +
          "</td><td>" + change + "</td></tr>";
      });
      $("history-body").innerHTML = h + "</tbody></table>";
    }).catch(function (e) {
      $("history-body").innerHTML = "<p class='error' role='alert'>" + esc(e.message) + "</p>";
    });
  }

  function initRegister() {
    renderColumns();
    initUpload();
    var timer = null;
    $("filter-input").addEventListener("input", function (ev) {
      clearTimeout(timer);
      timer = setTimeout(function () { state.q = ev.target.value.trim(); state.page = 1; loadRows(); }, 250);
    });
    $("prev-page").addEventListener("click", function () { state.page -= 1; loadRows(); });
    $("next-page").addEventListener("click", function () { state.page += 1; loadRows(); });
    $("rows-table").addEventListener("click", function (ev) {
      var edit = ev.target.closest("[data-edit]");
      var hist = ev.target.closest("[data-history]");
      if (edit) {
        var row = state.rows[Number(edit.getAttribute("data-edit"))];
        openForm({ type: "edit", id: row[CFG.idColumn], values: row });
      } else if (hist) {
        showHistory(hist.getAttribute("data-history"));
      }
    });
    $("upload-result").addEventListener("click", function (ev) {
      var b = ev.target.closest("[data-correct]");
      if (!b) return;
      var row = b.getAttribute("data-correct");
      var rej = (state.result.rejected || []).filter(function (r) { return String(r.row) === row; })[0] || {};
      openForm({ type: "new", row: Number(row), values: (state.result.rejected_values || {})[row] || {}, badColumns: rej.column });
    });
    $("row-form").addEventListener("submit", submitForm);
    $("row-cancel").addEventListener("click", function () { $("row-dialog").close(); });
    $("history-close").addEventListener("click", function () { $("history-dialog").close(); });
    loadRows().then(function () { window.__officer.ready = true; });
  }

  // -- LEKP -----------------------------------------------------------------------------------------
  var lekp = null;

  // where a count comes from in the page's language: the server says it in Dutch; an entered,
  // estimated or missing count is said from its origin (the Statbel tables keep their titles)
  function factSource(k, f) {
    if (f.origin === "admin") {
      var who = /door (.+) op de LEKP-pagina/.exec(f.source || "");
      return tr("source_admin", { who: who ? who[1] : "?" });
    }
    if (f.origin === "estimate" && S["source_estimate_" + k]) return S["source_estimate_" + k];
    if (f.origin === "missing") return S.source_missing;
    return f.source;
  }

  function renderFacts(data) {
    var keys = ["name", "inhabitants", "households", "housing_units"];
    var h = "";
    keys.forEach(function (k) {
      var f = data.facts[k];
      var value = f.value === null ? "–" : (k === "name" ? esc(f.value) : num(f.value, 0));
      h += "<div class='fact origin-" + esc(f.origin) + "' data-fact='" + k + "'><dt>" + esc(S[k]) + "</dt><dd><span class='value'>" + value +
        "</span> <span class='badge " + esc(f.origin) + "'>" + esc(S["origin_" + f.origin] || f.origin) + "</span>" +
        "<span class='source'>" + esc(S.source) + ": " + esc(factSource(k, f)) + (f.date ? " · " + dateText(f.date) : "") + "</span></dd></div>";
    });
    $("facts-list").innerHTML = h;
    var missing = data.missing.map(function (k) { return S[k].toLowerCase(); }).join(", ");
    if (missing) {
      show($("missing-note"), tr("missing_counts", { what: missing }) + (CFG.isAdmin ? "" : " " + S.missing_ask_admin));
    } else {
      show($("missing-note"), "");
    }
    if (CFG.isAdmin) {
      $("facts-edit").hidden = false;
      $("facts-edit").open = data.missing.length > 0;  // folded away once nothing is missing
      keys.forEach(function (k) {
        var input = $("f-" + k);
        var f = data.facts[k];
        input.value = f.origin === "admin" ? f.value : "";
        input.placeholder = f.value === null ? "" : String(f.value);
      });
    }
    var blocked = $("report-blocked");
    ["report-html", "report-pdf"].forEach(function (id) {
      var a = $(id);
      if (missing) { a.setAttribute("aria-disabled", "true"); a.classList.add("disabled"); }
      else { a.removeAttribute("aria-disabled"); a.classList.remove("disabled"); }
    });
    show(blocked, missing ? tr("report_blocked", { what: missing }) : "");
    document.querySelectorAll("#lekp-name").forEach(function (el) { el.textContent = data.name; });
  }

  function statusBadge(status) {
    var cls = { "behaald": "accepted", "op schema": "accepted", "achter op schema": "rejected",
      "niet gehaald": "rejected" }[status] || "neutral";
    return "<span class='badge " + cls + "'>" + esc(S["status_" + status] || status) + "</span>";
  }

  // the goal's title in the page's language (lekp_goals.toml title_en; Dutch when none)
  function goalTitle(g) { return CFG.lang === "en" && g.title_en ? g.title_en : g.title_nl; }

  function renderGoals(data) {
    $("as-of").textContent = "(" + S.as_of + " " + dateText(data.as_of) + ")";
    var h = "<table class='goals'><thead><tr><th scope='col'>" + esc(S.goal) + "</th><th scope='col' class='num'>" + esc(S.target) +
      "</th><th scope='col'>" + esc(S.deadline) + "</th><th scope='col' class='num'>" + esc(S.realised) + "</th><th scope='col'>" +
      esc(S.share) + "</th><th scope='col' class='num'>" + esc(S.path_now) + "</th><th scope='col' class='num'>" + esc(S.projection) +
      "</th><th scope='col'>" + esc(S.status) + "</th></tr></thead>";
    data.goals.forEach(function (g, i) {
      var share = g.share_achieved_frac;
      var pathShare = g.target ? g.target_path_now / g.target : null;
      var bar = share === null ? "–" :
        "<div class='sharebar' role='img' aria-label='" + esc(num(100 * share, 0)) + " %'><span class='fill' data-w='" + Math.min(100, 100 * share) + "'></span>" +
        (pathShare !== null ? "<span class='tick' data-l='" + Math.min(100, 100 * pathShare) + "'></span>" : "") + "</div><span class='small'>" + num(100 * share, 0) + " %</span>";
      h += "<tbody class='goal' data-goal='" + esc(g.goal_id) + "'><tr><th scope='row'><button type='button' class='link expand' aria-expanded='false' aria-controls='goal-detail-" + i + "'>" +
        esc(goalTitle(g)) + "</button><br><span class='muted small'>" + esc(isShare(g.unit) ? S.unit_share : S.unit + ": " + unitText(g.unit)) + "</span></th>" +
        "<td class='num' data-label='" + esc(S.target) + "'>" + figure(g.target, g.unit) + "</td><td data-label='" + esc(S.deadline) + "'>" +
        dateText(g.deadline) + "</td><td class='num' data-label='" + esc(S.realised) + "'>" + figure(g.realised, g.unit) +
        "</td><td class='share' data-label='" + esc(S.share) + "'>" + bar + "</td><td class='num' data-label='" + esc(S.path_now) + "'>" +
        figure(g.target_path_now, g.unit) + "</td><td class='num' data-label='" + esc(S.projection) + "'>" +
        figure(g.projected_at_deadline, g.unit) + "</td><td data-label='" + esc(S.status) + "'>" + statusBadge(g.status) + "</td></tr>" +
        "<tr class='detail' id='goal-detail-" + i + "' hidden><td colspan='8'>" + goalDetail(g) + "</td></tr></tbody>";
    });
    $("goals-table").innerHTML = h + "</table>";
    $("goals-table").querySelectorAll(".fill").forEach(function (el) { el.style.width = el.getAttribute("data-w") + "%"; });
    $("goals-table").querySelectorAll(".tick").forEach(function (el) { el.style.left = el.getAttribute("data-l") + "%"; });
  }

  function goalDetail(g) {
    var scale = g.base_value !== null ? " (" + num(g.base_value, 0) + ")" : "";
    var h = "<div class='detail-grid'><dl class='facts small'>" +
      "<div><dt>" + esc(S.goal_source) + "</dt><dd>" + esc(g.source) + "</dd></div>" +
      "<div><dt>" + esc(S.scaling) + "</dt><dd>" + esc(S[g.scaling_base] || g.scaling_base) + scale + "</dd></div>" +
      "<div><dt>" + esc(S.realised_from) + "</dt><dd>" + esc(g.realised_source) + "</dd></div>" +
      (g.counting_rule ? "<div><dt>" + esc(S.counting_rule) + "</dt><dd>" + esc(g.counting_rule) + "</dd></div>" : "") +
      "</dl><div><h3 class='small'>" + esc(S.per_year) + "</h3><table class='compact'><thead><tr><th scope='col'>" + esc(S.year) +
      "</th><th scope='col' class='num'>" + esc(S.realised) + "</th><th scope='col' class='num'>" + esc(S.path_now) +
      "</th><th scope='col' class='num'>" + esc(S.projection) + "</th></tr></thead><tbody>";
    g.series.forEach(function (r) {
      h += "<tr><td>" + r.year + "</td><td class='num'>" + amount(r.realised, g.unit) + "</td><td class='num'>" + amount(r.target_path, g.unit) +
        "</td><td class='num'>" + amount(r.realised === null ? r.projected : null, g.unit) + "</td></tr>";
    });
    return h + "</tbody></table></div></div>";
  }

  function renderChecklist(data) {
    var titles = {};
    data.goals.forEach(function (g) { titles["goal:" + g.goal_id] = goalTitle(g); });
    $("checklist-list").innerHTML = data.checklist.map(function (item) {
      var text = item.text;
      var detail = item.detail || "";
      if (item.key === "counts") {
        text = S.counts_known;
        detail = ["inhabitants", "households", "housing_units"].map(function (k) {
          return S[k].toLowerCase() + ": " + (S["origin_" + data.facts[k].origin] || data.facts[k].origin);
        }).join(", ");
      } else if (item.key.indexOf("register:") === 0) {
        text = S.register_kept + ": " + (S["kind_" + item.kind] || item.kind);
        detail = num(item.n_rows, 0) + " " + (item.n_rows === 1 ? S.rows_in_register_one : S.rows_in_register) + (item.last ? ", " + S.last_date + " " + dateText(item.last) : "");
      } else if (titles[item.key]) {
        text = S.data_for + ": " + titles[item.key];
      }
      return "<li class='" + (item.done ? "done" : "todo") + "'><span class='box' aria-hidden='true'>" + (item.done ? "☑" : "☐") + "</span>" +
        "<span class='visually-hidden'>" + (item.done ? "✓ " : "✗ ") + "</span>" + esc(text) + (detail ? " <span class='muted small'>— " + esc(detail) + "</span>" : "") + "</li>";
    }).join("");
  }

  function loadLekp() {
    return api("/api/officer/" + CFG.nis + "/lekp").then(function (data) {
      lekp = data;
      renderFacts(data);
      renderGoals(data);
      renderChecklist(data);
      window.__officer.ready = true;
    }).catch(function (e) {
      show($("lekp-error"), S.load_error + ": " + e.message);
      window.__officer.ready = true;
    });
  }

  function initLekp() {
    $("report-year").addEventListener("change", function (ev) {
      var y = ev.target.value;
      $("report-html").href = "/api/reports/" + CFG.nis + "/lekp.html?year=" + y;
      $("report-pdf").href = "/api/reports/" + CFG.nis + "/lekp.pdf?year=" + y;
    });
    ["report-html", "report-pdf"].forEach(function (id) {
      $(id).addEventListener("click", function (ev) {
        if ($(id).getAttribute("aria-disabled") === "true") { ev.preventDefault(); $("report-blocked").focus(); }
      });
    });
    $("goals-table").addEventListener("click", function (ev) {
      var b = ev.target.closest("button.expand");
      if (!b) return;
      var row = $(b.getAttribute("aria-controls"));
      var open = b.getAttribute("aria-expanded") === "true";
      b.setAttribute("aria-expanded", open ? "false" : "true");
      row.hidden = open;
    });
    $("facts-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = {};
      ["name", "inhabitants", "households", "housing_units"].forEach(function (k) {
        var v = $("f-" + k).value.trim();
        var was = lekp && lekp.facts[k].origin === "admin";
        if (v === "") { if (was) body[k] = null; }
        else body[k] = k === "name" ? v : Number(v);
      });
      show($("facts-error"), "");
      if (!Object.keys(body).length) return;
      show($("facts-ok"), S.saving);
      api("/api/officer/" + CFG.nis + "/municipality", { method: "PUT", json: body })
        .then(function () { show($("facts-ok"), S.saved); return loadLekp(); })
        .catch(function (e) { show($("facts-ok"), ""); show($("facts-error"), S.save_failed + ": " + e.message); });
    });
    loadLekp();
  }

  var body = document.body.classList;
  if (body.contains("page-login")) initLogin();
  else if (body.contains("page-logout")) initLogout();
  else if (body.contains("page-register")) initRegister();
  else if (body.contains("page-lekp")) initLekp();
  else window.__officer.ready = true;
})();
