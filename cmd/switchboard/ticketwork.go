package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// note is `switchboard ticket note ID --note TEXT`.
func (c *ticketCLI) note(ctx context.Context, args []string) int {
	cmd := c.newCommand("ticket", "note", "note ID --note TEXT [flags]")
	var note string
	cmd.fs.StringVar(&note, "note", "", "the note, recorded in the history (required)")
	pos, code, ok := c.parse(cmd, args, 1)
	if !ok {
		return code
	}
	if strings.TrimSpace(note) == "" {
		return c.usageError(cmd, "--note is required")
	}
	api, s, code, ok := c.connect(cmd)
	if !ok {
		return code
	}
	t, err := api.AddNote(ctx, pos[0], note)
	if err != nil {
		return c.fail(s, err)
	}
	if cmd.common.json {
		return c.printJSON(t)
	}
	fmt.Fprintf(c.out, "Note added to %s (%s)\n", t.ID, c.state(t))
	return exitOK
}

// assign is `switchboard ticket assign ID --to NAME [--note TEXT]`.
func (c *ticketCLI) assign(ctx context.Context, args []string) int {
	cmd := c.newCommand("ticket", "assign", "assign ID --to NAME [--note TEXT] [flags]")
	var to, note string
	cmd.fs.StringVar(&to, "to", "", "who takes the ticket (required)")
	cmd.fs.StringVar(&note, "note", "", "why, recorded in the history")
	pos, code, ok := c.parse(cmd, args, 1)
	if !ok {
		return code
	}
	if strings.TrimSpace(to) == "" {
		return c.usageError(cmd, "--to is required")
	}
	api, s, code, ok := c.connect(cmd)
	if !ok {
		return code
	}
	t, err := api.Assign(ctx, pos[0], to, note)
	if err != nil {
		return c.fail(s, err)
	}
	if cmd.common.json {
		return c.printJSON(t)
	}
	fmt.Fprintf(c.out, "%s is now assigned to %s (status: %s, department: %s)\n", t.ID, dash(t.Assignee), t.Status, dash(t.Department))
	return exitOK
}

// escalate is `switchboard ticket escalate ID --reason TEXT`.
func (c *ticketCLI) escalate(ctx context.Context, args []string) int {
	cmd := c.newCommand("ticket", "escalate", "escalate ID --reason TEXT [flags]")
	var reason string
	cmd.fs.StringVar(&reason, "reason", "", "why, told to the people escalated to (required)")
	pos, code, ok := c.parse(cmd, args, 1)
	if !ok {
		return code
	}
	if strings.TrimSpace(reason) == "" {
		return c.usageError(cmd, "--reason is required")
	}
	api, s, code, ok := c.connect(cmd)
	if !ok {
		return code
	}
	t, err := api.Escalate(ctx, pos[0], reason)
	if err != nil {
		return c.fail(s, err)
	}
	if cmd.common.json {
		return c.printJSON(t)
	}
	fmt.Fprintf(c.out, "%s escalated (%s); 'switchboard sla explain %s' shows who was told\n", t.ID, c.state(t), t.ID)
	return exitOK
}

// state is a ticket's status, department and assignee, for the one-line
// answers of the commands that change it.
func (c *ticketCLI) state(t ticket.Ticket) string {
	return fmt.Sprintf("status: %s, department: %s, assigned: %s", t.Status, dash(t.Department), dash(t.Assignee))
}
