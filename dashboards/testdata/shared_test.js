// Unit tests of shared.js's pure helpers, run by TestScripts with node:
//   node testdata/shared_test.js path/to/shared.js
"use strict";
process.env.TZ = "UTC";
const assert = require("assert");
const SB = require(require("path").resolve(process.argv[2]));

const now = Date.parse("2026-11-24T10:00:00Z");
const cases = [
  // [target, want text, want level]
  [{ due_at: "2026-11-24T10:14:05Z", state: "pending" }, "14:05", "ok"],
  [{ due_at: "2026-11-24T10:00:30Z", state: "warning" }, "00:30", "warning"],
  [{ due_at: "2026-11-24T12:05:00Z", state: "pending" }, "2h 05m", "ok"],
  [{ due_at: "2026-11-27T14:00:00Z", state: "pending" }, "3d 4h", "ok"],
  [{ due_at: "2026-11-24T09:57:00Z", state: "breached" }, "breached 3m ago", "breached"],
  [{ due_at: "2026-11-24T09:59:15Z", state: "pending" }, "breached 45s ago", "breached"],
];
for (const [tg, text, level] of cases) {
  assert.deepStrictEqual(SB.countdown(tg, now), { text, level }, JSON.stringify(tg));
}

const t = { sla: [
  { target: "resolution", due_at: "2026-11-24T18:00:00Z", state: "pending" },
  { target: "response", due_at: "2026-11-24T10:15:00Z", state: "met" },
  { target: "handover", due_at: "2026-11-24T11:00:00Z", state: "warning" },
] };
assert.strictEqual(SB.nextDue(t).target, "handover");
assert.strictEqual(SB.nextDue({ sla: [{ target: "x", due_at: "2026-11-24T10:15:00Z", state: "met" }] }), null);
assert.strictEqual(SB.nextDue({}), null);

assert.strictEqual(SB.summary({ type: "ticket.status_changed", at: "2026-11-24T10:00:00Z",
  data: { from: "new", to: "dispatched", note: "sent" } }), "new → dispatched: sent");
assert.strictEqual(SB.summary({ type: "sla.breached", at: "2026-11-24T10:15:02Z",
  data: { target: "response", due_at: "2026-11-24T10:15:00Z" } }), "response (due 10:15:00)");
assert.strictEqual(SB.summary({ type: "escalated", at: "2026-11-24T10:15:02Z",
  data: { target: "response", level: 2, name: "project manager", roles: ["pm"], people: [] } }),
  "response level 2 project manager → pm");
assert.strictEqual(SB.summary({ type: "ticket.routed", data: { department: "engineering" } }), "department=engineering");
assert.strictEqual(SB.summary({ type: "ticket.created" }), "");
assert.strictEqual(SB.clock("2026-11-23T08:05:00Z", now), "2026-11-23 08:05");
console.log("ok");
