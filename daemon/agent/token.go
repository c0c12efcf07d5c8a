package agent

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// TokenFile is the name of the admin token file in the data dir.
const TokenFile = "admin.token"

// ensureToken returns the configured token, or the one in
// dataDir/admin.token, creating that file (mode 0600) with a new random
// token on first start. created reports whether it was just made.
func ensureToken(configured, dataDir string) (token, path string, created bool, err error) {
	if configured != "" {
		return configured, "", false, nil
	}
	path = filepath.Join(dataDir, TokenFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		tok := strings.TrimSpace(string(b))
		if tok == "" {
			return "", path, false, fmt.Errorf("agent: token file %s is empty; delete it to get a new token", path)
		}
		return tok, path, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", path, false, fmt.Errorf("agent: read token: %w", err)
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", path, false, fmt.Errorf("agent: make token: %w", err)
	}
	tok := hex.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", path, false, fmt.Errorf("agent: write token: %w", err)
	}
	if _, err := f.WriteString(tok + "\n"); err != nil {
		f.Close()
		return "", path, false, fmt.Errorf("agent: write token: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", path, false, fmt.Errorf("agent: write token: %w", err)
	}
	return tok, path, true, nil
}
