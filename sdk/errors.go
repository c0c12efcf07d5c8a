package sdk

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// trailerPlugin is the gRPC trailer key by which the plugin side marks an
// error as its own and names itself.
const trailerPlugin = "switchboard-plugin-error"

// ErrUnavailable is wrapped by errors of a call that did not reach the
// plugin or got no answer (the process died or is restarting). Such a call
// may be retried once the plugin is back.
var ErrUnavailable = errors.New("plugin unavailable")

// PluginError is an error returned by the plugin's own code (its
// Department, Configurer, EventHandler or HealthChecker), as the host sees
// it. Errors of the transport are not PluginErrors.
type PluginError struct {
	// Plugin is the plugin's name from its Info.
	Plugin string
	// Op is the call that failed: "Configure", "HandleTicket",
	// "HandleEvent" or "Health".
	Op string
	// Message is the text of the plugin's error.
	Message string
}

// Error returns a message naming the plugin as the error's source.
func (e *PluginError) Error() string {
	return fmt.Sprintf("plugin %q: %s: %s", e.Plugin, e.Op, e.Message)
}

// IsPluginError reports whether err, or an error it wraps, is a
// [*PluginError]: the plugin ran and refused or failed, as opposed to a
// failure to reach it.
func IsPluginError(err error) bool {
	var pe *PluginError
	return errors.As(err, &pe)
}

// clientError turns the error of a gRPC call into the SDK's error classes:
// a *PluginError when the plugin marked it as its own, the context's error
// when the caller's context ended, ErrUnavailable when the plugin did not
// answer (including a connection closed under the call), and otherwise a
// protocol error.
func clientError(ctx context.Context, op string, err error, plugin []string) error {
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("sdk: %s: %w", op, err)
	}
	if len(plugin) > 0 {
		return &PluginError{Plugin: plugin[0], Op: op, Message: st.Message()}
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("sdk: %s: %w", op, cerr)
	}
	switch st.Code() {
	case codes.DeadlineExceeded:
		return fmt.Errorf("sdk: %s: %w", op, context.DeadlineExceeded)
	case codes.Unavailable, codes.Canceled:
		return fmt.Errorf("sdk: %s: %w: %s", op, ErrUnavailable, st.Message())
	default:
		return fmt.Errorf("sdk: %s: %s: %s", op, st.Code(), st.Message())
	}
}
