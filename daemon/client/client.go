// Package client is the Go client of switchboard's HTTP API (/api/v1) and of
// its live event stream. The CLI's `switchboard ticket …` commands and the
// end-to-end tests use it; so may any Go program that talks to a desk.
//
// A Client is safe for concurrent use. Every method takes a context first;
// API errors come back as *APIError, everything else (network, decoding) as
// an error prefixed "client:".
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// maxErrorBody caps how much of a non-JSON error response is quoted.
const maxErrorBody = 512

// Client talks to one switchboard daemon.
type Client struct {
	base  *url.URL
	token string
	actor string
	http  *http.Client
	err   error // a bad base URL, reported by every call
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the client send its requests through hc (for
// timeouts, proxies or test transports). The default is http.DefaultClient.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithActor names the person acting; the daemon records it as the actor of
// the events the client's requests cause (header X-Switchboard-Actor).
func WithActor(name string) Option {
	return func(c *Client) { c.actor = name }
}

// New returns a client of the daemon at baseURL, e.g.
// "http://127.0.0.1:7480" (a path prefix in front of /api/v1 is kept), that
// authenticates with the bearer token. A bad baseURL is reported by the
// first call, not here.
func New(baseURL, token string, opts ...Option) *Client {
	c := &Client{token: token, http: http.DefaultClient}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	switch {
	case err != nil:
		c.err = fmt.Errorf("client: bad base URL %q: %w", baseURL, err)
	case u.Scheme != "http" && u.Scheme != "https":
		c.err = fmt.Errorf("client: bad base URL %q: scheme must be http or https", baseURL)
	case u.Host == "":
		c.err = fmt.Errorf("client: bad base URL %q: no host", baseURL)
	default:
		c.base = u
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// APIError is an error answered by the daemon: a non-2xx status with the
// body {"error": {"code": ..., "message": ...}}.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the machine-readable code (wire.CodeInvalid, ...), or "" when
	// the response was not a switchboard error body.
	Code string
	// Message is the daemon's explanation, e.g. "title: is required".
	Message string
}

// Error reads "MESSAGE (HTTP STATUS CODE)", e.g.
// `title: is required (HTTP 400 invalid_request)`.
func (e *APIError) Error() string {
	code := e.Code
	if code == "" {
		code = strings.ToLower(http.StatusText(e.Status))
	}
	return fmt.Sprintf("%s (HTTP %d %s)", e.Message, e.Status, code)
}

// IsNotFound reports whether err is an *APIError with status 404.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// endpoint returns the absolute URL of an API path below /api/v1; path is
// already escaped.
func (c *Client) endpoint(path string, q url.Values) (*url.URL, error) {
	if c.err != nil {
		return nil, c.err
	}
	raw := c.base.EscapedPath() + wire.Prefix + path
	p, err := url.PathUnescape(raw)
	if err != nil {
		return nil, fmt.Errorf("client: bad path %q: %w", path, err)
	}
	u := *c.base
	u.Path, u.RawPath = p, raw
	u.RawQuery = q.Encode()
	return &u, nil
}

// do sends one request and decodes a 2xx JSON answer into out (unless out
// is nil). headers are added to the request.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, in, out any, headers map[string]string) error {
	u, err := c.endpoint(path, q)
	if err != nil {
		return err
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("client: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.authorize(req.Header)
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return decodeError(resp)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return fmt.Errorf("client: decode %s %s response: %w", method, path, err)
		}
	}
	return nil
}

// authorize sets the bearer token and actor headers.
func (c *Client) authorize(h http.Header) {
	if c.token != "" {
		h.Set("Authorization", "Bearer "+c.token)
	}
	if c.actor != "" {
		h.Set(wire.HeaderActor, c.actor)
	}
}

// decodeError turns a non-2xx response into an *APIError.
func decodeError(resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var eb wire.ErrorBody
	if json.Unmarshal(raw, &eb) == nil && eb.Error.Message != "" {
		return &APIError{Status: resp.StatusCode, Code: eb.Error.Code, Message: eb.Error.Message}
	}
	msg := strings.TrimSpace(string(raw))
	if len(msg) > maxErrorBody {
		msg = msg[:maxErrorBody] + "…"
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	return &APIError{Status: resp.StatusCode, Message: msg}
}
