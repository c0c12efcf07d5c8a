// Package main is the testhost command. Testhost is a minimal plugin host
// for the SDK's tests: it starts the plugin binary named by its argument
// through go-plugin, exactly as a host that knows nothing of Switchboard
// would (no parent-death signal), prints "pid N" with the plugin's process
// id on stdout, and then waits to be killed. A test kills it with SIGKILL to
// check that the plugin does not outlive it.
package main
