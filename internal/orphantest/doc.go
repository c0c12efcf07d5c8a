// Package orphantest holds the Linux plumbing of the tests that prove a
// plugin process does not outlive its host: the test process becomes the
// subreaper of its descendants, starts a host process that prints its
// plugin's pid, kills the host, and reaps the orphaned plugin to learn how
// it ended. The SDK's parent watch and the daemon's parent-death signal are
// tested with it. It is for tests only.
package orphantest
