package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// MaxBody is the largest request body accepted, in bytes.
const MaxBody = 64 << 10

// createRequest is the body of POST /tickets: the intake fields only.
// Fields the server controls are refused by name (see serverFields).
type createRequest struct {
	Kind        ticket.Kind       `json:"kind"`
	Category    string            `json:"category"`
	Severity    string            `json:"severity"`
	Tier        string            `json:"tier"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Reporter    ticket.Reporter   `json:"reporter"`
	Location    string            `json:"location"`
	Asset       string            `json:"asset"`
	Fields      map[string]string `json:"fields"`
	EventAt     *time.Time        `json:"event_at"`
}

// ticket copies the request into a ticket for the desk.
func (c *createRequest) ticket() ticket.Ticket {
	return ticket.Ticket{
		Kind: c.Kind, Category: c.Category, Severity: c.Severity, Tier: c.Tier,
		Title: c.Title, Description: c.Description, Reporter: c.Reporter,
		Location: c.Location, Asset: c.Asset, Fields: c.Fields, EventAt: c.EventAt,
	}
}

// serverFields are ticket fields a client may read but not submit.
var serverFields = map[string]bool{
	"id": true, "status": true, "department": true, "assignee": true,
	"policy": true, "sla": true, "created_at": true, "updated_at": true,
	"version": true, "history": true,
}

// decodeError is a body that could not be decoded; its message is meant
// for the client.
type decodeError struct{ msg string }

func (e *decodeError) Error() string { return e.msg }

// decode reads r's body strictly into v: one JSON object, no unknown
// fields, nothing after it, at most MaxBody bytes.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describe(err)
	}
	end := dec.InputOffset()
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil && isTooLarge(err):
		return describe(err)
	default:
		return &decodeError{fmt.Sprintf("unexpected data after the JSON object, which ends at byte offset %d", end)}
	}
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// describe turns a json decoding error into a message naming the problem
// and where it is.
func describe(err error) *decodeError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case isTooLarge(err):
		return &decodeError{fmt.Sprintf("request body exceeds %d bytes", MaxBody)}
	case errors.Is(err, io.EOF):
		return &decodeError{"request body is empty; a JSON object is required"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &decodeError{"malformed JSON: the body ends in the middle of a value"}
	case errors.As(err, &syn):
		return &decodeError{fmt.Sprintf("malformed JSON at byte offset %d: %s", syn.Offset, syn.Error())}
	case errors.As(err, &typ):
		if typ.Field == "" {
			return &decodeError{fmt.Sprintf("the body must be a JSON object, not %s", typ.Value)}
		}
		want := typeName(typ.Type.String())
		if typ.Field == "fields" && want == "a string" {
			want = "an object whose values are strings"
		}
		return &decodeError{fmt.Sprintf("%s: must be %s, not %s (byte offset %d)", typ.Field, want, typ.Value, typ.Offset)}
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		if serverFields[name] {
			return &decodeError{fmt.Sprintf("%s: is set by the server and cannot be submitted", name)}
		}
		return &decodeError{fmt.Sprintf("%s: unknown field", name)}
	}
	var perr *time.ParseError
	if errors.As(err, &perr) {
		// event_at is the only time a request carries.
		return &decodeError{fmt.Sprintf("event_at: %q is not an RFC 3339 time, e.g. 2026-03-01T09:00:00+08:00", perr.Value)}
	}
	if strings.HasPrefix(msg, "Time.UnmarshalJSON") {
		return &decodeError{"event_at: must be an RFC 3339 time string, e.g. 2026-03-01T09:00:00+08:00"}
	}
	return &decodeError{"malformed request body: " + strings.TrimPrefix(msg, "json: ")}
}

func typeName(t string) string {
	switch {
	case strings.HasPrefix(t, "map["):
		return "an object of strings"
	case t == "string" || strings.HasSuffix(t, ".Kind") || strings.HasSuffix(t, ".Status"):
		return "a string"
	case strings.HasSuffix(t, "Reporter"):
		return "an object"
	case strings.HasSuffix(t, "Time"):
		return "an RFC 3339 time string"
	}
	return t
}
