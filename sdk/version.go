package sdk

import "github.com/hashicorp/go-plugin"

// ProtocolVersion is the version of the department protocol
// (sdk/proto/departmentv1). It changes only on a breaking change; the host
// refuses a plugin built for another version at the handshake.
const ProtocolVersion = 1

// PluginName is the name the department plugin is dispensed under.
const PluginName = "department"

// Handshake is the go-plugin handshake shared by the host and every
// department plugin. The magic cookie only keeps a plugin binary from being
// run by hand by mistake; it is not a security measure.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "SWITCHBOARD_PLUGIN",
	MagicCookieValue: "department",
}
