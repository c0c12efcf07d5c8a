package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// note is `switchboard ticket note ID --note TEXT`.
func (c *ticketCLI) note(ctx context.Context, args []string) int {
	cmd := c.newCommand("ticket", "note", "note ID --note TEXT [flags]")
	var note string
	cmd.fs.StringVar(&note, "note", "", "the note, recorded in the history (required)")
	return c.work(cmd, args, "note", &note, func(api *client.Client, id string) (ticket.Ticket, error) {
		return api.AddNote(ctx, id, note)
	}, func(t ticket.Ticket) string {
		return fmt.Sprintf("Note added to %s (%s)", t.ID, c.state(t))
	})
}

// assign is `switchboard ticket assign ID --to NAME [--note TEXT]`.
func (c *ticketCLI) assign(ctx context.Context, args []string) int {
	cmd := c.newCommand("ticket", "assign", "assign ID --to NAME [--note TEXT] [flags]")
	var to, note string
	cmd.fs.StringVar(&to, "to", "", "who takes the ticket (required)")
	cmd.fs.StringVar(&note, "note", "", "why, recorded in the history")
	return c.work(cmd, args, "to", &to, func(api *client.Client, id string) (ticket.Ticket, error) {
		return api.Assign(ctx, id, to, note)
	}, func(t ticket.Ticket) string {
		return fmt.Sprintf("%s is now assigned to %s (status: %s, department: %s)", t.ID, dash(t.Assignee), t.Status, dash(t.Department))
	})
}

// escalate is `switchboard ticket escalate ID --reason TEXT`.
func (c *ticketCLI) escalate(ctx context.Context, args []string) int {
	cmd := c.newCommand("ticket", "escalate", "escalate ID --reason TEXT [flags]")
	var reason string
	cmd.fs.StringVar(&reason, "reason", "", "why, told to the people escalated to (required)")
	return c.work(cmd, args, "reason", &reason, func(api *client.Client, id string) (ticket.Ticket, error) {
		return api.Escalate(ctx, id, reason)
	}, func(t ticket.Ticket) string {
		return fmt.Sprintf("%s escalated (%s); 'switchboard sla explain %s' shows who was told", t.ID, c.state(t), t.ID)
	})
}

// work runs a command that changes one ticket: it parses the ticket ID,
// requires the flag named required (whose value is *value), makes the call
// and prints the ticket's JSON with --json, else the line say gives.
func (c *ticketCLI) work(cmd *command, args []string, required string, value *string,
	call func(api *client.Client, id string) (ticket.Ticket, error), say func(ticket.Ticket) string) int {
	pos, code, ok := c.parse(cmd, args, 1)
	if !ok {
		return code
	}
	if strings.TrimSpace(*value) == "" {
		return c.usageError(cmd, "--"+required+" is required")
	}
	api, s, code, ok := c.connect(cmd)
	if !ok {
		return code
	}
	t, err := call(api, pos[0])
	if err != nil {
		return c.fail(s, err)
	}
	if cmd.common.json {
		return c.printJSON(t)
	}
	fmt.Fprintln(c.out, say(t))
	return exitOK
}

// state is a ticket's status, department and assignee, for the one-line
// answers of the commands that change it.
func (c *ticketCLI) state(t ticket.Ticket) string {
	return fmt.Sprintf("status: %s, department: %s, assigned: %s", t.Status, dash(t.Department), dash(t.Assignee))
}
