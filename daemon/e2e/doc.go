// Package e2e holds the end-to-end tests: they build the real switchboard
// binary and run it as its own process, with its embedded SQLite store and
// its bundled department plugins as separate OS processes, driven through
// the real HTTP API, the websocket stream and a real browser (Chromium,
// skipped with a message when it is not installed). BenchmarkAPI measures the
// running desk; see BENCHMARKS.md.
//
// Set E2E_DUMP=1 to print the agent's log even when a test passes.
package e2e
