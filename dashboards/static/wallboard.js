// Switchboard wallboard: one column per department, a card per open ticket
// with a live countdown to its next SLA deadline, and a feed of the latest
// events. It renders the stream's snapshot, then applies each event without
// reloading, and reconnects with backoff (getting a fresh snapshot).
"use strict";

// Board is the wallboard's state and how stream messages change it, apart
// from the page so that it can be tested without a browser.
var Board = (function () {
  var FEED_SIZE = 20;
  var SEVERITY_RANK = { critical: 0, major: 1, serious: 2, minor: 3 };

  function newState() {
    return {
      tickets: new Map(), // id → ticket, open ones only
      depts: new Map(),   // name → department
      feed: [],           // the latest events, newest first
      lastSeq: 0
    };
  }

  // apply changes st by one stream message and reports whether the board
  // must be redrawn.
  function apply(st, msg) {
    switch (msg.type) {
      case "snapshot":
        st.tickets.clear();
        (msg.tickets || []).forEach(function (t) { st.tickets.set(t.id, t); });
        st.depts.clear();
        (msg.departments || []).forEach(function (d) { st.depts.set(d.name, d); });
        st.lastSeq = msg.seq || 0;
        return true;
      case "event":
        if (msg.seq && msg.seq <= st.lastSeq) return false; // already in the snapshot
        st.lastSeq = msg.seq || st.lastSeq;
        if (msg.ticket) {
          var t = msg.ticket;
          if (t.status === "closed" || t.status === "cancelled") st.tickets.delete(t.id);
          else st.tickets.set(t.id, t);
        }
        if (msg.event) {
          st.feed.unshift(msg.event);
          if (st.feed.length > FEED_SIZE) st.feed.length = FEED_SIZE;
        }
        return true;
      case "department":
        if (!msg.department) return false;
        st.depts.set(msg.department.name, msg.department);
        return true;
    }
    return false;
  }

  function dueMs(t) {
    var tg = SB.nextDue(t);
    return tg ? Date.parse(tg.due_at) : Infinity;
  }

  function rank(t) {
    return SEVERITY_RANK[t.severity] === undefined ? 9 : SEVERITY_RANK[t.severity];
  }

  function byUrgency(a, b) {
    return (dueMs(a) - dueMs(b)) || (rank(a) - rank(b)) ||
      (Date.parse(a.created_at) - Date.parse(b.created_at));
  }

  // columns returns [{name, dept, tickets}]: every known department in the
  // daemon's order, then any department only tickets name ("" is
  // unrouted), each with its open tickets, most urgent first.
  function columns(st) {
    var cols = new Map();
    st.depts.forEach(function (d, name) { cols.set(name, { name: name, dept: d, tickets: [] }); });
    st.tickets.forEach(function (t) {
      var name = t.department || "";
      if (!cols.has(name)) cols.set(name, { name: name, dept: null, tickets: [] });
      cols.get(name).tickets.push(t);
    });
    var out = [];
    cols.forEach(function (c) { c.tickets.sort(byUrgency); out.push(c); });
    return out;
  }

  return { newState: newState, apply: apply, columns: columns, FEED_SIZE: FEED_SIZE };
})();

if (typeof module !== "undefined") module.exports = Board;

// The page: rendering, the countdown ticker and the stream connection.
if (typeof document !== "undefined") (function () {
  var MIN_RETRY = 1000, MAX_RETRY = 30000;
  var state = Board.newState();
  var retry = MIN_RETRY;
  var tok = "";

  // --- stream ---

  function streamURL(withQueryToken) {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    var u = proto + "//" + location.host + SB.basePath() + "api/v1/stream";
    return withQueryToken ? u + "?token=" + encodeURIComponent(tok) : u;
  }

  function connect() {
    setConn("down", "connecting…");
    var ws, opened = false;
    try {
      // The token rides as a subprotocol; a token with characters a
      // subprotocol may not hold goes in the query instead.
      ws = new WebSocket(streamURL(false), ["switchboard.v1", "bearer." + tok]);
    } catch (e) {
      ws = new WebSocket(streamURL(true), ["switchboard.v1"]);
    }
    ws.onopen = function () { opened = true; setConn("up", "live"); };
    ws.onmessage = function (e) {
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      if (msg.type === "snapshot") retry = MIN_RETRY;
      if (Board.apply(state, msg)) render();
    };
    ws.onclose = function () {
      if (!opened) checkToken(); // a refused handshake may be a bad token
      else scheduleReconnect();
    };
  }

  // checkToken asks the API whether the token is good: to a browser, a
  // websocket handshake refused with 401 looks like any other failure.
  function checkToken() {
    SB.api("GET", "/departments", tok).then(function (res) {
      if (res.status === 401) {
        SB.saveToken("");
        setConn("down", "token refused");
        SB.askToken("The token was refused: " + SB.errorMessage(res), start);
        return;
      }
      scheduleReconnect();
    }, scheduleReconnect);
  }

  function scheduleReconnect() {
    var wait = retry;
    retry = Math.min(retry * 2, MAX_RETRY);
    setConn("down", "reconnecting in " + Math.round(wait / 1000) + "s");
    setTimeout(connect, wait);
  }

  // --- rendering ---

  function setConn(st, text) {
    var c = document.getElementById("conn");
    c.className = "conn conn-" + st;
    c.textContent = text;
  }

  function render() {
    var cols = Board.columns(state);
    var board = document.getElementById("board");
    var frag = document.createDocumentFragment();
    cols.forEach(function (c) { frag.appendChild(column(c.name, c.dept, c.tickets)); });
    board.replaceChildren(frag);
    board.style.setProperty("--columns", Math.max(cols.length, 1));
    renderFeed();
    tick();
  }

  function column(name, d, list) {
    var col = SB.el("section", "column");
    var head = SB.el("header", "column-head");
    head.appendChild(SB.el("h2", "", (d && d.title) || name || "Unrouted"));
    if (d) {
      var badge = SB.el("span", "badge badge-" + d.state, d.state);
      var tip = d.state + (d.restarts ? ", " + d.restarts + " restarts" : "") + (d.error ? ": " + d.error : "");
      badge.title = tip;
      head.appendChild(badge);
    }
    head.appendChild(SB.el("span", "count", list.length));
    col.appendChild(head);
    var cards = SB.el("div", "cards");
    list.forEach(function (t) { cards.appendChild(card(t)); });
    if (!list.length) cards.appendChild(SB.el("p", "empty", "No open tickets"));
    col.appendChild(cards);
    return col;
  }

  function card(t) {
    var c = SB.el("article", "card sev-" + t.severity);
    c.dataset.id = t.id;
    var top = SB.el("div", "card-top");
    top.appendChild(SB.el("span", "card-id", t.id));
    top.appendChild(SB.el("span", "card-status status-" + t.status, t.status.replace("_", " ")));
    c.appendChild(top);
    c.appendChild(SB.el("div", "card-title", t.title));
    var meta = SB.el("div", "card-meta");
    meta.appendChild(SB.el("span", "", t.kind + "/" + t.category));
    meta.appendChild(SB.el("span", "sev", t.severity));
    meta.appendChild(SB.el("span", "assignee", t.assignee || "unassigned"));
    c.appendChild(meta);
    var tg = SB.nextDue(t);
    if (tg) {
      var due = SB.el("div", "due");
      due.appendChild(SB.el("span", "due-name", tg.target));
      var cd = SB.el("span", "countdown");
      cd.dataset.due = tg.due_at;
      cd.dataset.state = tg.state;
      due.appendChild(cd);
      c.appendChild(due);
    }
    return c;
  }

  function renderFeed() {
    var ol = document.getElementById("feed");
    var frag = document.createDocumentFragment();
    state.feed.forEach(function (ev) {
      var li = SB.el("li", "feed-" + ev.type.replace(/\W/g, "-"));
      li.appendChild(SB.el("span", "feed-time", SB.clock(ev.at)));
      li.appendChild(SB.el("span", "feed-id", ev.ticket_id));
      li.appendChild(SB.el("span", "feed-type", ev.type));
      li.appendChild(SB.el("span", "feed-data", SB.summary(ev)));
      frag.appendChild(li);
    });
    ol.replaceChildren(frag);
  }

  // tick updates the countdowns and the clock; it runs every second and
  // after each render, without rebuilding the board.
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown").forEach(function (el) {
      var r = SB.countdown({ due_at: el.dataset.due, state: el.dataset.state }, now);
      el.textContent = r.text;
      el.className = "countdown level-" + r.level;
      el.closest(".card").classList.toggle("is-breached", r.level === "breached");
      el.closest(".card").classList.toggle("is-warning", r.level === "warning");
    });
    var d = new Date(now);
    document.getElementById("clock").textContent = SB.pad(d.getHours()) + ":" + SB.pad(d.getMinutes()) + ":" + SB.pad(d.getSeconds());
  }

  function start(t) {
    tok = t;
    connect();
  }

  setInterval(tick, 1000);
  var t = SB.token();
  if (t) start(t);
  else SB.askToken("", start);
})();
