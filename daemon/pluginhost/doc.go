// Package pluginhost supervises the department plugins: separate OS
// processes spoken to over hashicorp/go-plugin (gRPC) through the sdk
// protocol.
//
// go-plugin starts a process and hands back a client, but it never restarts
// a plugin that dies, and its Client keeps returning the dead connection
// without error. The Host adds the supervision around it:
//
//   - start: the binary's sha256 is checked before every start (a mismatch
//     refuses to start and the plugin is failed at once), the handshake is
//     bounded by StartTimeout (over AutoMTLS unless Spec.NoTLS), then Info,
//     Capabilities and Configure are called (Configure with the Host API
//     when the plugin asks for it and Options.HostAPI is set), and the work
//     stream is opened for a plugin that serves one. A plugin that prints
//     to stdout before the handshake is failed with an error saying so;
//   - watch: one goroutine per plugin polls the process for exit and runs a
//     periodic health check (gRPC ping and sdk Health, each bounded by
//     CallTimeout);
//   - restart: a plugin that exits, fails its health check or exceeds
//     CallTimeout on a call is killed and started again after an exponential
//     backoff (MinBackoff doubling to MaxBackoff, reset after a stable run);
//   - quarantine: after MaxFailures failures within FailureWindow the plugin
//     is failed, and so is one that a restart cannot cure (a checksum
//     mismatch, a missing binary, settings it refuses). A failed
//     department stays failed until the daemon restarts or Update gives it
//     a new spec;
//   - delivery: Deliver carries the items of many callers over one
//     bidirectional stream per plugin process, each item bounded by
//     CallTimeout like a unary call, and falls back to the unary calls for
//     a plugin without the stream;
//   - reload: Update adds, removes and upgrades plugins while the others
//     run; an upgrade starts the new process before it stops the old one,
//     and keeps the old one when the new one cannot start;
//   - stop: Stop refuses new calls, waits for calls in flight, and kills
//     every process, bounded by its context;
//   - no orphans: a plugin must not outlive a daemon that dies without
//     Stop (kill -9, a crash). On Linux the kernel kills it at once (a
//     parent-death signal, see deathsig_linux.go); everywhere, sdk.Serve
//     exits the plugin when it finds itself re-parented.
//
// Calls to a plugin that is not running return ErrUnavailable at once: the
// caller keeps the ticket and delivers it again when Options.OnState reports
// the plugin running. Calls to one department never wait on another. Plugin
// logs and output reach Options.Logger, Named after the department.
//
// The life of one plugin, as reported through OnState:
//
//	stopped → starting → running ⇄ restarting → … → failed
//	                        └──────────────┴──────────→ stopped (Stop)
package pluginhost
