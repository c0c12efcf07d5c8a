// Package plugins holds the department plugins bundled with Switchboard.
// Each is written only against the sdk package, as a third party would
// write one, and runs in its own process through the hidden
// `switchboard plugin NAME` subcommand, which calls
// sdk.Serve(plugins.Bundled[NAME]()).
package plugins

import (
	"github.com/switchboard-desk/switchboard/plugins/engineering"
	"github.com/switchboard-desk/switchboard/plugins/finance"
	"github.com/switchboard-desk/switchboard/plugins/service"
	"github.com/switchboard-desk/switchboard/sdk"
)

// Bundled maps the name of each bundled plugin, as config.toml's
// `[[department]] plugin = "NAME"` spells it, to its constructor. Each
// department's Info().Name equals its key.
var Bundled = map[string]func() sdk.Department{
	"engineering": engineering.New,
	"finance":     finance.New,
	"service":     service.New,
}
