// Command testhost is a minimal plugin host for the SDK's tests: it starts
// the plugin binary named by its argument through go-plugin, exactly as a
// host that knows nothing of Switchboard would (no parent-death signal),
// prints "pid N" with the plugin's process id on stdout, and then waits
// to be killed. A test kills it with SIGKILL to check that the plugin does
// not outlive it.
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
