package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnsureToken(t *testing.T) {
	dir := t.TempDir()
	tok, path, created, err := ensureToken("", dir)
	if err != nil || !created || len(tok) < 32 || path != filepath.Join(dir, TokenFile) {
		t.Fatalf("first start: %q %q %v %v", tok, path, created, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	again, _, created, err := ensureToken("", dir)
	if err != nil || created || again != tok {
		t.Fatalf("second start: %q created=%v err=%v, want the same token", again, created, err)
	}
	cfgTok, path, created, err := ensureToken("from-config", dir)
	if err != nil || created || cfgTok != "from-config" || path != "" {
		t.Errorf("configured token: %q %q %v %v", cfgTok, path, created, err)
	}
	os.WriteFile(path2(dir), []byte("\n"), 0o600)
	if _, _, _, err := ensureToken("", filepath.Dir(path2(dir))); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty token file: err = %v", err)
	}
}

func path2(dir string) string {
	d := filepath.Join(dir, "other")
	os.MkdirAll(d, 0o700)
	return filepath.Join(d, TokenFile)
}
