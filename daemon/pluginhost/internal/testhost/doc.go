// Package main is the testhost command. Testhost runs a pluginhost.Host for
// the package's tests: it supervises one department whose plugin is the
// binary named by its argument, prints "pid N" with the plugin's process id
// on stdout once it runs, and then waits to be killed. A test kills it with
// SIGKILL to check that the plugin does not outlive the daemon.
package main
