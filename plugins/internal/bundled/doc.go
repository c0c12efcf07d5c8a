// Package main is the bundled command. Bundled serves one bundled department
// plugin, named by its only argument, as a real plugin process. It stands in
// for the daemon's hidden `switchboard plugin NAME` subcommand in the
// plugins' own tests.
package main
