package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// MaxActor is the longest actor name accepted in the actor header.
const MaxActor = 100

// bearerPrefix is the websocket subprotocol prefix that carries a token.
const bearerPrefix = "bearer."

// requireAuth wraps next so that it runs only with the right bearer token.
// The stream may also carry the token as ?token= or as the subprotocol
// "bearer.<token>", because browsers cannot set headers on a websocket.
func (s *Server) requireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		if !ok && r.URL.Path == wire.Prefix+"/stream" {
			token, ok = streamToken(r)
		}
		switch {
		case !ok:
			unauthorized(w, "missing bearer token: send Authorization: Bearer TOKEN")
		case !s.tokenOK(token):
			unauthorized(w, "invalid bearer token")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// tokenOK compares in constant time. Hashing first hides the length too.
// An empty configured token accepts nothing.
func (s *Server) tokenOK(got string) bool {
	if s.token == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(s.token))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func streamToken(r *http.Request) (string, bool) {
	if t := r.URL.Query().Get("token"); t != "" {
		return t, true
	}
	for _, p := range websocket.Subprotocols(r) {
		if t, ok := strings.CutPrefix(p, bearerPrefix); ok && t != "" {
			return t, true
		}
	}
	return "", false
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
	writeError(w, http.StatusUnauthorized, wire.CodeUnauthorized, msg)
}

// actor returns the acting person named by the actor header, "api" when
// there is none. ok is false (and a 400 written) for a bad name.
func actor(w http.ResponseWriter, r *http.Request) (string, bool) {
	a := strings.TrimSpace(r.Header.Get(wire.HeaderActor))
	switch {
	case a == "":
		return "api", true
	case !utf8.ValidString(a):
		badRequest(w, wire.HeaderActor+": is not valid UTF-8")
		return "", false
	case utf8.RuneCountInString(a) > MaxActor:
		badRequest(w, wire.HeaderActor+": is longer than 100 characters")
		return "", false
	}
	return a, true
}
