// Package main is the testplugin command. Testplugin is a department plugin
// for the pluginhost tests. Its behaviour is set by arguments (per process)
// and ticket fields (per call):
//
//	version=V        Info reports version V (default from TESTPLUGIN_VERSION, else
//	                 the version built in with -ldflags "-X main.builtVersion=V",
//	                 else "0.0.1")
//	exit=N           exit with status N before serving (a plugin that cannot start)
//	startlog=FILE    append a line to FILE when the process starts
//
// Ticket fields: "hang" blocks HandleTicket until the process dies, "crash"
// exits the process in the middle of the call, "fail" returns that text as
// the plugin's error, "sleep" (a duration) delays the answer, "note" adds
// that note to the ticket through the Host API and replies with the
// ticket's notes count, "tls" replies whether the connection uses AutoMTLS.
// Otherwise the reply names the pid and the "assignee" setting. The plugin
// is a HostUser, so it lists the "host" capability.
package main
