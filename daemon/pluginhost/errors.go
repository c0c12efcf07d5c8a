package pluginhost

import (
	"errors"
	"fmt"
)

// ErrUnavailable is returned (wrapped, naming the department) by a call to
// a plugin that is not running: starting, restarting, failed, stopped, or
// killed during the call. The ticket was not handled; the caller keeps it
// and delivers it again when OnState reports the plugin running.
var ErrUnavailable = errors.New("plugin unavailable")

// ErrCallTimeout is returned, together with ErrUnavailable, by a call that
// exceeded Options.CallTimeout. The plugin has been killed and is being
// restarted.
var ErrCallTimeout = errors.New("call timed out")

// ErrUnknownDepartment is returned by a call naming a department the Host
// does not know.
var ErrUnknownDepartment = errors.New("unknown department")

// ChecksumError is the refusal to start a binary whose sha256 differs from
// the configured one.
type ChecksumError struct {
	// Path is the binary that was checked.
	Path string
	// Want is the configured sum, Got the file's.
	Want, Got string
}

// Error names the file and both sums.
func (e *ChecksumError) Error() string {
	return fmt.Sprintf("checksum mismatch for %s: configured sha256 %s, file has sha256 %s", e.Path, e.Want, e.Got)
}

// permanentError marks a start failure that a restart cannot cure: the
// supervisor fails the plugin at once instead of retrying.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return &permanentError{err: err} }

func isPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
