// Package main is the rawplugin command. Rawplugin is a department plugin
// for the pluginhost tests written against the protocol itself (go-plugin
// and the generated gRPC code), not the sdk, as a plugin in another
// language or one built before the sdk served the work stream would be.
// It serves only the unary calls:
//
//	caps=LIST   answer Capabilities with the comma-separated LIST (which
//	            should not name "deliver"); without it the call is
//	            unimplemented, as for a plugin older than the call
//
// HandleTicket accepts and replies "pid=PID id=ID events=N", N being the
// events received so far; the ticket field "fail" makes it return that
// text as the plugin's error.
package main
