// Package main is the testplugin command. Testplugin is a department plugin
// for the pluginhost tests. Its behaviour is set by arguments (per process)
// and ticket fields (per call):
//
//	version=V        Info reports version V (default from TESTPLUGIN_VERSION, else "0.0.1")
//	exit=N           exit with status N before serving (a plugin that cannot start)
//	startlog=FILE    append a line to FILE when the process starts
//
// Ticket fields: "hang" blocks HandleTicket until the process dies, "crash"
// exits the process in the middle of the call, "fail" returns that text as
// the plugin's error. The reply names the pid and the "assignee" setting.
package main
