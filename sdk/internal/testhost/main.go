package main

import (
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/switchboard-desk/switchboard/sdk"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: testhost PLUGIN-BINARY")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1])
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake,
		Plugins:          sdk.PluginSet(),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		StartTimeout:     time.Minute,
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "testhost", Output: os.Stderr, Level: hclog.Warn}),
	})
	if _, err := client.Client(); err != nil {
		fmt.Fprintln(os.Stderr, "testhost: starting the plugin:", err)
		client.Kill()
		os.Exit(1)
	}
	fmt.Printf("pid %d\n", cmd.Process.Pid)
	select {} // until killed
}
