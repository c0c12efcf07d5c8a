package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// chromium finds a Chromium or Chrome binary, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium found: install it (apt-get install chromium) to run the wallboard browser test")
	return ""
}

// browser starts a headless Chromium for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1600, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser and must not carry a timeout (it
	// would stop the browser); later steps run with one, derived from it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// do runs steps in the browser, bounded by a timeout.
func do(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

func text(ctx context.Context, sel string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
}

func eval[T any](ctx context.Context, js string) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](js))
}

// screenshot saves the page to $SWITCHBOARD_SCREENSHOTS/name.png when set,
// so a person can look at what the test saw.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("SWITCHBOARD_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

// TestWallboardLive opens the wallboard in a real browser and watches
// tickets appear, get acknowledged and breach, with no reload; then submits
// a ticket through the intake form.
func TestWallboardLive(t *testing.T) {
	bctx := browser(t)
	a := newAgent(t, testConfig)
	c := a.client()

	err := do(bctx,
		chromedp.Navigate(a.URL+"/#token="+a.Token),
		chromedp.WaitVisible(chromedp.CSS(`#conn.conn-up`)),
		chromedp.WaitVisible(chromedp.CSS(`.column .badge-running`)),
	)
	if err != nil {
		t.Fatalf("wallboard did not come up live: %v", err)
	}
	if _, err := eval[bool](bctx, `window.__noReload = true`); err != nil {
		t.Fatal(err)
	}

	repair, err := c.CreateTicket(ctxT(t, 5*time.Second), client.CreateRequest{
		Kind: ticket.KindRepair, Category: "valve", Title: "Valve broken on floor 3",
		Reporter: ticket.Reporter{Name: "Liu Yang"}, Location: "north/dorm-3",
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	drill, err := c.CreateTicket(ctxT(t, 5*time.Second), client.CreateRequest{
		Kind: ticket.KindRepair, Category: "drill", Title: "Machine down (drill)", Reporter: ticket.Reporter{Name: "D"},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	card := `.card[data-id="` + repair.ID + `"]`
	err = do(bctx,
		chromedp.WaitVisible(chromedp.CSS(card+` .status-acknowledged`)),
		chromedp.WaitVisible(chromedp.CSS(`.card[data-id="`+drill.ID+`"].is-breached`)),
		chromedp.WaitVisible(chromedp.CSS(`#feed .feed-escalated`)),
	)
	if err != nil {
		screenshot(t, bctx, "wallboard-failed")
		t.Fatalf("wallboard did not show the tickets live: %v", err)
	}
	assignee, err := text(bctx, card+` .assignee`)
	if err != nil || assignee != "Chen Jun" {
		t.Errorf("card shows assignee %q (%v), want Chen Jun", assignee, err)
	}
	if same, err := eval[bool](bctx, `window.__noReload === true`); err != nil || !same {
		t.Errorf("the page reloaded (%v); the wallboard must update in place", err)
	}
	screenshot(t, bctx, "wallboard")

	// A closed ticket leaves the board.
	for _, to := range []ticket.Status{ticket.StatusInProgress, ticket.StatusResolved, ticket.StatusClosed} {
		if _, err := c.Transition(ctxT(t, 5*time.Second), repair.ID, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := do(bctx, chromedp.WaitNotPresent(chromedp.CSS(card))); err != nil {
		t.Errorf("closed ticket still on the board: %v", err)
	}

	// The intake form creates a ticket.
	err = do(bctx,
		chromedp.Navigate(a.URL+"/new#token="+a.Token),
		chromedp.WaitVisible(chromedp.CSS(`#intake`)),
		chromedp.SetValue(chromedp.CSS(`select[name=kind]`), "complaint"),
		chromedp.SendKeys(chromedp.CSS(`input[name=category]`), "no_hot_water"),
		chromedp.SendKeys(chromedp.CSS(`input[name=title]`), "No hot water in dorm 5"),
		chromedp.SendKeys(chromedp.CSS(`input[name="reporter.name"]`), "Student Wang"),
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#result.ok .created-id`)),
	)
	if err != nil {
		screenshot(t, bctx, "intake-failed")
		t.Fatalf("intake form: %v", err)
	}
	created, err := text(bctx, `#result .created-id`)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, bctx, "intake")
	id := strings.Fields(created)[0]
	d, err := c.Ticket(ctxT(t, 5*time.Second), id)
	if err != nil {
		t.Fatalf("ticket %q from the form: %v", id, err)
	}
	if d.Kind != ticket.KindComplaint || d.Title != "No hot water in dorm 5" || d.Reporter.Name != "Student Wang" || d.Department != "service" {
		t.Errorf("form created %+v", d.Ticket)
	}

	// Bad input is refused with the field named.
	err = do(bctx,
		chromedp.Navigate(a.URL+"/new#token="+a.Token),
		chromedp.WaitVisible(chromedp.CSS(`#intake`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=title]`), "No category given"),
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#result.error`)),
	)
	if err != nil {
		t.Fatalf("intake form error: %v", err)
	}
	msg, _ := text(bctx, `#result`)
	if !strings.Contains(msg, "category") {
		t.Errorf("error shown = %q, want it to name the category field", msg)
	}
}
