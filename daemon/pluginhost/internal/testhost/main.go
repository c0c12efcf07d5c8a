package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: testhost PLUGIN-BINARY")
		os.Exit(2)
	}
	running := make(chan pluginhost.Status, 1)
	h, err := pluginhost.New([]pluginhost.Spec{{Name: "eng", Cmd: []string{os.Args[1]}}}, pluginhost.Options{
		Logger: hclog.New(&hclog.LoggerOptions{Name: "testhost", Output: os.Stderr, Level: hclog.Warn}),
		OnState: func(st pluginhost.Status) {
			if st.State == pluginhost.StateRunning {
				select {
				case running <- st:
				default:
				}
			}
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testhost:", err)
		os.Exit(1)
	}
	h.Start(context.Background())
	select {
	case st := <-running:
		fmt.Printf("pid %d\n", st.PID)
	case <-time.After(time.Minute):
		fmt.Fprintln(os.Stderr, "testhost: the plugin did not start within a minute")
		os.Exit(1)
	}
	select {} // until killed
}
