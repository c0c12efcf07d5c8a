package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/switchboard-desk/switchboard/plugins"
	"github.com/switchboard-desk/switchboard/sdk"
)

func main() {
	if len(os.Args) != 2 || plugins.Bundled[os.Args[1]] == nil {
		names := make([]string, 0, len(plugins.Bundled))
		for name := range plugins.Bundled {
			names = append(names, name)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: bundled NAME, where NAME is one of %v\n", names)
		os.Exit(2)
	}
	sdk.Serve(plugins.Bundled[os.Args[1]]())
}
