// Switchboard intake form: builds the create-ticket request from the form,
// POSTs it with the bearer token and an Idempotency-Key, and shows the
// created ticket (id, department, SLA due times) or the API's error, with
// the named field highlighted.
"use strict";

(function () {
  var form = document.getElementById("intake");
  var result = document.getElementById("result");
  var submit = document.getElementById("submit");
  var tok = SB.token();
  // key identifies one submission: kept across retries of the same form
  // (a double-click, a network error), renewed when the form changes.
  var key = null;

  // rfc3339 turns a datetime-local value ("2026-11-24T18:00") into RFC 3339
  // with the browser's UTC offset.
  function rfc3339(local) {
    var d = new Date(local);
    if (isNaN(d.getTime())) return null;
    var off = -d.getTimezoneOffset();
    var sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return local.length === 16 ? local + ":00" + sign + SB.pad(Math.floor(off / 60)) + ":" + SB.pad(off % 60)
      : local + sign + SB.pad(Math.floor(off / 60)) + ":" + SB.pad(off % 60);
  }

  // request builds the body: only the keys the API knows, empty optional
  // ones left out. It returns {body} or {field, message}.
  function request() {
    var f = form.elements;
    var v = function (name) { return f[name].value.trim(); };
    var body = {
      kind: v("kind"), category: v("category"), severity: v("severity"), tier: v("tier"),
      title: v("title"), reporter: { name: v("reporter.name") }
    };
    if (v("reporter.contact")) body.reporter.contact = v("reporter.contact");
    ["description", "location", "asset"].forEach(function (k) { if (v(k)) body[k] = v(k); });
    if (v("event_at")) {
      var at = rfc3339(v("event_at"));
      if (!at) return { field: "event_at", message: "event time is not a valid date" };
      body.event_at = at;
    }
    var lines = f.fields.value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
    if (lines.length) {
      body.fields = {};
      for (var i = 0; i < lines.length; i++) {
        var eq = lines[i].indexOf("=");
        if (eq < 1) return { field: "fields", message: "extra fields: want key=value, got \"" + lines[i] + "\"" };
        body.fields[lines[i].slice(0, eq).trim()] = lines[i].slice(eq + 1).trim();
      }
    }
    return { body: body };
  }

  // fieldInput finds the input an API error names ("reporter.name: ...",
  // "fields.floor: ...").
  function fieldInput(message) {
    var m = /^([a-z_]+(?:\.[a-z_]+)?)(?:\.[^:]*)?:/.exec(message || "");
    if (!m) return null;
    return form.elements[m[1]] || form.elements[m[1].split(".")[0]] || null;
  }

  function clearInvalid() {
    form.querySelectorAll(".invalid").forEach(function (e) { e.classList.remove("invalid"); });
  }

  function showError(message, input) {
    result.className = "result error";
    result.replaceChildren(SB.el("strong", "", "Not created: "), document.createTextNode(message));
    if (input) {
      input.classList.add("invalid");
      input.focus();
    }
  }

  function showCreated(t, replayed) {
    result.className = "result ok";
    var frag = document.createDocumentFragment();
    frag.appendChild(SB.el("div", "created-id", t.id + (replayed ? " (already created)" : "")));
    frag.appendChild(SB.el("div", "", t.kind + "/" + t.category + ", " + t.severity +
      " → " + (t.department || "not routed yet") + (t.assignee ? ", assigned to " + t.assignee : "")));
    var ul = SB.el("ul");
    (t.sla || []).forEach(function (tg) {
      var due = new Date(tg.due_at);
      ul.appendChild(SB.el("li", "", tg.target + " due " + due.toLocaleString() +
        " (in " + SB.span(due.getTime() - Date.now()) + ")"));
    });
    if (ul.childNodes.length) frag.appendChild(ul);
    result.replaceChildren(frag);
  }

  function send() {
    clearInvalid();
    var r = request();
    if (r.message) {
      showError(r.message, form.elements[r.field]);
      return;
    }
    if (!key) key = SB.uuid();
    submit.disabled = true;
    SB.api("POST", "/tickets", tok, r.body, { "Idempotency-Key": key }).then(function (res) {
      submit.disabled = false;
      if (res.status === 200 || res.status === 201) {
        key = null;
        form.reset();
        showCreated(res.body, res.headers.get("Idempotent-Replayed") === "true");
        form.elements.title.focus();
        return;
      }
      if (res.status === 401) {
        SB.saveToken("");
        SB.askToken("The token was refused: " + SB.errorMessage(res), function (t) { tok = t; send(); });
        return;
      }
      var msg = SB.errorMessage(res);
      showError(msg, res.status === 400 ? fieldInput(msg) : null);
    }, function (err) {
      submit.disabled = false;
      // The key is kept: resubmitting cannot create a second ticket.
      showError("the desk could not be reached (" + err.message + "); submit again to retry", null);
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (submit.disabled) return; // a request is in flight
    if (!tok) {
      SB.askToken("", function (t) { tok = t; send(); });
      return;
    }
    send();
  });
  form.addEventListener("input", function () { key = null; });
  form.addEventListener("change", function () { key = null; });
  if (!tok) SB.askToken("", function (t) { tok = t; });
})();
