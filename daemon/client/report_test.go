package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/api"
	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/report"
)

func TestSLAReport(t *testing.T) {
	type call struct {
		from, to time.Time
		by       string
	}
	var got call
	srv := httptest.NewServer(api.New(api.Options{Token: token,
		Reports: func(_ context.Context, from, to time.Time, by string) (any, error) {
			got = call{from, to, by}
			return report.Report{From: from, To: to, By: by, Groups: []report.Group{{Name: "engineering", Received: 3}},
				Total: report.Group{Name: "total", Received: 3}}, nil
		}}).Handler())
	defer srv.Close()
	c := client.New(srv.URL, token)

	cst := time.FixedZone("CST", 8*3600)
	from, to := time.Date(2026, 11, 16, 0, 0, 0, 0, cst), time.Date(2026, 11, 23, 0, 0, 0, 0, cst)
	rep, err := c.SLAReport(ctx(t), from, to, "assignee")
	if err != nil {
		t.Fatal(err)
	}
	if !got.from.Equal(from) || !got.to.Equal(to) || got.by != "assignee" {
		t.Errorf("server got %+v", got)
	}
	if rep.By != "assignee" || len(rep.Groups) != 1 || rep.Groups[0].Received != 3 || rep.Total.Received != 3 {
		t.Errorf("report %+v", rep)
	}
	if _, err := c.SLAReport(ctx(t), from, to, ""); err != nil || got.by != "department" {
		t.Errorf("default grouping: %v, server got %q", err, got.by)
	}

	_, err = c.SLAReport(ctx(t), to, from, "")
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || ae.Message != "from: must be before to" {
		t.Errorf("reversed period: %v", err)
	}
	if _, err := c.SLAReport(ctx(t), time.Time{}, to, ""); err == nil {
		t.Error("zero from: no error")
	}
}
