// Package main is the testplugin command. Testplugin is a tiny department
// plugin used by the SDK's tests to prove the handshake and the protocol
// across a real process boundary.
//
// It accepts every ticket, assigns it to "tester", and echoes the ticket's
// id, kind and location in the note. A ticket with id "fail" is refused
// with an error. It is a HostUser: a ticket of kind "host-note" makes it
// add the note "seen by testplugin" to the ticket through the host, and
// its reply's note is "noted v<version>" with the version the host
// returned, or "host error <code>: <message>".
package main
