package plugins_test

import (
	"context"
	"testing"

	"github.com/switchboard-desk/switchboard/plugins"
	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

func TestBundled(t *testing.T) {
	for _, name := range []string{"engineering", "finance", "service"} {
		t.Run(name, func(t *testing.T) {
			newDept, ok := plugins.Bundled[name]
			if !ok {
				t.Fatalf("plugin %q is not bundled", name)
			}
			c := sdktest.Serve(t, newDept())
			info, err := c.Info(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if info.Name != name || info.Version == "" || info.Description == "" {
				t.Errorf("Info = %+v, want name %q with a version and description", info, name)
			}
			// Unconfigured, a bundled department still accepts tickets:
			// a desk never loses one because settings are missing.
			reply, err := c.HandleTicket(context.Background(), sdk.Ticket{ID: "T-1", Kind: "complaint"})
			if err != nil || !reply.Accept {
				t.Errorf("HandleTicket = %+v, %v; want accepted", reply, err)
			}
		})
	}
	if len(plugins.Bundled) != 3 {
		t.Errorf("Bundled has %d plugins, want 3", len(plugins.Bundled))
	}
}
