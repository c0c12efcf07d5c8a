// Unit tests of wallboard.js's Board (the state the stream drives), run by
// TestScripts with node:
//   node testdata/board_test.js path/to/shared.js path/to/wallboard.js
"use strict";
const assert = require("assert");
const path = require("path");
global.SB = require(path.resolve(process.argv[2]));
const Board = require(path.resolve(process.argv[3]));

const tk = (id, dept, status, due, extra) => Object.assign({
  id, department: dept, status, title: "t " + id, kind: "repair", category: "valve", severity: "minor",
  created_at: "2026-11-24T09:00:00Z",
  sla: [{ target: "response", due_at: due, state: "pending" }]
}, extra || {});
const ev = (seq, id, type) => ({ seq, ticket_id: id, type, at: "2026-11-24T10:00:00Z" });

const st = Board.newState();
assert.ok(Board.apply(st, {
  type: "snapshot", seq: 10,
  tickets: [tk("SB-1", "engineering", "dispatched", "2026-11-24T11:00:00Z"),
            tk("SB-2", "engineering", "new", "2026-11-24T10:30:00Z")],
  departments: [{ name: "engineering", title: "Engineering", state: "running" },
                { name: "finance", title: "Finance", state: "running" }]
}));
let cols = Board.columns(st);
assert.deepStrictEqual(cols.map(c => c.name), ["engineering", "finance"]);
assert.deepStrictEqual(cols[0].tickets.map(t => t.id), ["SB-2", "SB-1"], "most urgent first");

// An event already in the snapshot changes nothing.
assert.strictEqual(Board.apply(st, { type: "event", seq: 9, event: ev(9, "SB-1", "x"), ticket: tk("SB-1", "engineering", "closed", "x") }), false);
assert.strictEqual(st.tickets.size, 2);

// A new ticket for a department the snapshot did not know gets a column.
Board.apply(st, { type: "event", seq: 11, event: ev(11, "SB-3", "ticket.created"), ticket: tk("SB-3", "tally", "new", "2026-11-24T10:10:00Z") });
// A ticket replaced by id: moves to the top when its next target is sooner.
Board.apply(st, { type: "event", seq: 12, event: ev(12, "SB-1", "sla.breached"),
  ticket: tk("SB-1", "engineering", "dispatched", "2026-11-24T10:00:00Z", { assignee: "Li Wei" }) });
cols = Board.columns(st);
assert.deepStrictEqual(cols.map(c => c.name), ["engineering", "finance", "tally"]);
assert.deepStrictEqual(cols[0].tickets.map(t => t.id), ["SB-1", "SB-2"]);
assert.strictEqual(cols[0].tickets[0].assignee, "Li Wei");

// Closed and cancelled tickets leave the board.
Board.apply(st, { type: "event", seq: 13, event: ev(13, "SB-2", "ticket.status_changed"), ticket: tk("SB-2", "engineering", "cancelled", "x") });
Board.apply(st, { type: "event", seq: 14, event: ev(14, "SB-3", "ticket.status_changed"), ticket: tk("SB-3", "tally", "closed", "x") });
cols = Board.columns(st);
assert.deepStrictEqual(cols[0].tickets.map(t => t.id), ["SB-1"]);
assert.strictEqual(cols.length, 2, "a department known only from its tickets goes when they go");

// Department messages replace the department (the header badge).
Board.apply(st, { type: "department", department: { name: "finance", title: "Finance", state: "restarting", restarts: 1 } });
assert.strictEqual(Board.columns(st)[1].dept.state, "restarting");

// The feed keeps the latest FEED_SIZE events, newest first.
for (let i = 0; i < 30; i++) Board.apply(st, { type: "event", seq: 100 + i, event: ev(100 + i, "SB-1", "ticket.note_added") });
assert.strictEqual(st.feed.length, Board.FEED_SIZE);
assert.strictEqual(st.feed[0].seq, 129);

// A new snapshot (after a reconnect) starts over.
Board.apply(st, { type: "snapshot", seq: 200, tickets: [], departments: [] });
assert.strictEqual(st.tickets.size, 0);
assert.strictEqual(st.lastSeq, 200);
console.log("ok");
