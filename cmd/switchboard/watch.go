package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

func (c *ticketCLI) watch(ctx context.Context, args []string) int {
	cmd := c.newCommand("ticket", "watch", "watch [--department D] [flags]")
	var dept string
	cmd.fs.StringVar(&dept, "department", "", "only this department's events")
	if _, code, ok := c.parse(cmd, args, 0); !ok {
		return code
	}
	api, s, code, ok := c.connect(cmd)
	if !ok {
		return code
	}
	var lastSeq int64
	connected := false
	wait := c.retry
	for {
		gotSnapshot := false
		err := api.Watch(ctx, func(m wire.Message) error {
			if m.Type == wire.MsgSnapshot {
				if connected && m.Seq > lastSeq+1 {
					fmt.Fprintf(c.errw, "switchboard: reconnected; events %d to %d were missed while away\n", lastSeq+1, m.Seq)
				}
				connected, gotSnapshot, wait = true, true, c.retry
			}
			if m.Seq != 0 {
				if m.Seq <= lastSeq && m.Type == wire.MsgEvent {
					return nil // seen before the reconnect
				}
				lastSeq = m.Seq
			}
			return c.printMessage(m, dept, cmd.common.json)
		})
		switch {
		case ctx.Err() != nil:
			return exitOK
		case !gotSnapshot && !connected:
			return c.fail(s, err) // never got in: wrong address, token, ...
		}
		var ae *client.APIError
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
			return c.fail(s, err)
		}
		fmt.Fprintf(c.errw, "switchboard: %v; reconnecting in %s\n", err, wait)
		select {
		case <-ctx.Done():
			return exitOK
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// printMessage prints one stream message: a line per event, or the message
// as one JSON line.
func (c *ticketCLI) printMessage(m wire.Message, dept string, asJSON bool) error {
	if dept != "" {
		switch {
		case m.Type == wire.MsgEvent && m.Ticket != nil && m.Ticket.Department != dept,
			m.Type == wire.MsgDepartment && m.Department != nil && m.Department.Name != dept:
			return nil
		}
	}
	if asJSON {
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(c.out, "%s\n", b)
		return err
	}
	var err error
	switch {
	case m.Type == wire.MsgSnapshot:
		open := len(m.Tickets)
		if dept != "" {
			open = 0
			for _, t := range m.Tickets {
				if t.Department == dept {
					open++
				}
			}
		}
		fmt.Fprintf(c.errw, "switchboard: watching: %d open tickets, %d departments (Ctrl-C to stop)\n", open, len(m.Departments))
	case m.Type == wire.MsgEvent && m.Event != nil:
		ev := *m.Event
		line := fmt.Sprintf("%s %s %s", ev.At.In(c.loc).Format("15:04:05"), ev.TicketID, ev.Type)
		if s := client.EventSummary(ev, c.loc); s != "" {
			line += " " + s
		}
		if ev.Type == ticket.EventStatus || ev.Type == ticket.EventNote || ev.Type == ticket.EventCreated {
			line += " (by " + dash(ev.Actor) + ")"
		}
		_, err = fmt.Fprintln(c.out, line)
	case m.Type == wire.MsgDepartment && m.Department != nil:
		d := m.Department
		line := fmt.Sprintf("%s department %s %s", c.now().In(c.loc).Format("15:04:05"), d.Name, d.State)
		if d.Restarts > 0 {
			line += fmt.Sprintf(" (restarts %d)", d.Restarts)
		}
		if d.Error != "" {
			line += ": " + d.Error
		}
		_, err = fmt.Fprintln(c.out, line)
	}
	return err
}
