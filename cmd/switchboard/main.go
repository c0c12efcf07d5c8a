package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "agent":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		reload := make(chan os.Signal, 1)
		signal.Notify(reload, syscall.SIGHUP)
		defer signal.Stop(reload)
		return agentCmd(ctx, args[1:], reload, stdout, stderr)
	case "ticket":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return ticketCmd(ctx, args[1:], stdout, stderr)
	case "report":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return reportCmd(ctx, args[1:], stdout, stderr)
	case "sla":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return slaCmd(ctx, args[1:], stdout, stderr)
	case "plugin":
		return pluginCmd(args[1:], stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "switchboard", version)
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "switchboard: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Switchboard is a service desk: it stores, routes and tracks complaints,
repair calls and service requests, and escalates broken promises.

Usage:
  switchboard agent [--config config.toml] [--listen ADDR] [--data-dir DIR]
        run the desk (API, wallboard, department plugins, SLA timers)
  switchboard ticket create|show|list|transition|note|assign|escalate|watch [flags]
        submit and follow tickets through the API (see 'switchboard ticket -h')
  switchboard sla due|explain|replan [flags]
        ask the SLA engine, explain a ticket's clocks, re-plan a deadline
        (see 'switchboard sla -h')
  switchboard report sla --from DATE --to DATE [--by department|assignee] [--json|--csv]
        the SLA report of a period (see 'switchboard report -h')
  switchboard version
`)
}
