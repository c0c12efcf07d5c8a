package main

import (
	"fmt"
	"io"
	"sort"

	"github.com/switchboard-desk/switchboard/plugins"
	"github.com/switchboard-desk/switchboard/sdk"
)

// pluginCmd serves a bundled department plugin over go-plugin. The agent
// runs it as a child process; it is not meant to be run by hand.
func pluginCmd(args []string, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: switchboard plugin NAME (started by the agent, not by hand)")
		return 2
	}
	newDept, ok := plugins.Bundled[args[0]]
	if !ok {
		names := make([]string, 0, len(plugins.Bundled))
		for n := range plugins.Bundled {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(stderr, "switchboard: no bundled plugin %q (have %v)\n", args[0], names)
		return 2
	}
	sdk.Serve(newDept())
	return 0
}
