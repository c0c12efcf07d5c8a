// Command facilities is an example Switchboard department plugin, built
// outside the bundle as a third party would build one: it imports only
// the SDK (github.com/switchboard-desk/switchboard/sdk) and runs as its own
// binary, named in config.toml with its sha256. See README.md.
//
// The facilities department books a cleaner for every spill, from the
// cleaners in its settings, and hands the spill to the next cleaner through
// the host API when its promise is about to break (an sla.warning event).
// It resolves a lost-key request with its answer: the key desk hands out a
// spare at once.
package main
