// Package oteltest records what a directory reports to OpenTelemetry, for
// tests: every span ended and every metric point, and a flow of portable
// calls to make them with.
package oteltest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/idport/identity"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Recorder is a tracer and a meter provider that keep everything.
type Recorder struct {
	Spans  *tracetest.InMemoryExporter
	Reader *sdkmetric.ManualReader
	TP     *sdktrace.TracerProvider
	MP     *sdkmetric.MeterProvider
}

// New returns a Recorder, shut down when tb ends.
func New(tb testing.TB) *Recorder {
	r := &Recorder{Spans: tracetest.NewInMemoryExporter(), Reader: sdkmetric.NewManualReader()}
	r.TP = sdktrace.NewTracerProvider(sdktrace.WithSyncer(r.Spans))
	r.MP = sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.Reader))
	tb.Cleanup(func() {
		_ = r.TP.Shutdown(context.Background())
		_ = r.MP.Shutdown(context.Background())
	})
	return r
}

// Options are DirectoryOptions reporting to r.
func (r *Recorder) Options() identity.DirectoryOptions {
	return identity.DirectoryOptions{TracerProvider: r.TP, MeterProvider: r.MP}
}

// Metrics collects the metrics recorded so far.
func (r *Recorder) Metrics(tb testing.TB) metricdata.ResourceMetrics {
	tb.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Reader.Collect(context.Background(), &rm); err != nil {
		tb.Fatal(err)
	}
	return rm
}

// Dump is every span (name, attributes, status, events, links) and every
// metric (name, each point's attributes) as text, to search for what
// must not be there.
func (r *Recorder) Dump(tb testing.TB) string {
	tb.Helper()
	var b strings.Builder
	for _, s := range r.Spans.GetSpans() {
		fmt.Fprintf(&b, "span %q status=%v %q\n", s.Name, s.Status.Code, s.Status.Description)
		attrs(&b, s.Attributes)
		for _, e := range s.Events {
			fmt.Fprintf(&b, "  event %q\n", e.Name)
			attrs(&b, e.Attributes)
		}
	}
	rm := r.Metrics(tb)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			fmt.Fprintf(&b, "metric %q\n", m.Name)
			j, _ := json.Marshal(m.Data)
			b.Write(j)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func attrs(b *strings.Builder, kvs []attribute.KeyValue) {
	for _, kv := range kvs {
		fmt.Fprintf(b, "  %s=%s\n", kv.Key, kv.Value.String())
	}
}

// Named returns the ended spans named name.
func (r *Recorder) Named(name string) tracetest.SpanStubs {
	var out tracetest.SpanStubs
	for _, s := range r.Spans.GetSpans() {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// Children returns the ended spans whose parent is s.
func (r *Recorder) Children(s tracetest.SpanStub) tracetest.SpanStubs {
	var out tracetest.SpanStubs
	for _, c := range r.Spans.GetSpans() {
		if c.Parent.SpanID() == s.SpanContext.SpanID() {
			out = append(out, c)
		}
	}
	return out
}

// Attr returns the value of key on s, and whether it is set.
func Attr(s tracetest.SpanStub, key attribute.Key) (attribute.Value, bool) {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// Flow makes the calls of a user's life on dir, with an email and
// passwords that are canaries of c, so that what the calls reported can
// be searched for them: create, read by id and by email, a listing that
// searches, an update, a wrong and a right password where the backend
// checks them, a password set, suspension, deletion and a read that finds
// nothing. It returns the user's id. Errors the calls are meant to get
// are checked; the backend's own limits (a capability it lacks) skip the
// call.
func Flow(t *testing.T, dir *identity.Directory, c interface {
	Make(name string) string
	Add(name, value string)
}) string {
	t.Helper()
	ctx := context.Background()
	caps := dir.Capabilities()
	local := strings.ToLower(c.Make("email"))
	email := local + "@example.com"
	c.Add("email address", email)
	pw := identity.Secret(c.Make("password"))
	nu := identity.NewUser{Email: email}
	if caps.SetPassword {
		nu.Password = pw
	}
	u, err := dir.CreateUser(ctx, nu)
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	must := func(op string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
	}
	_, err = dir.GetUser(ctx, u.ID)
	must("GetUser", err)
	_, err = dir.GetUserByEmail(ctx, email)
	must("GetUserByEmail", err)
	for _, err := range dir.ListUsers(ctx, identity.ListOptions{Query: local[:12], PageSize: 2}) {
		must("ListUsers", err)
	}
	if caps.Metadata {
		_, err = dir.UpdateUser(ctx, u.ID, identity.UserUpdate{Metadata: map[string]any{"plan": "pro"}})
		must("UpdateUser", err)
	}
	if caps.VerifyPassword && caps.SetPassword {
		must("VerifyPassword", dir.VerifyPassword(ctx, u.ID, pw))
		if err := dir.VerifyPassword(ctx, u.ID, identity.Secret(c.Make("wrong password"))); identity.CodeOf(err) != identity.InvalidCredentials {
			t.Fatalf("VerifyPassword with a wrong password: %v", err)
		}
	}
	if caps.SetPassword {
		must("SetPassword", dir.SetPassword(ctx, u.ID, identity.Secret(c.Make("new password"))))
	}
	if caps.HasStatus(identity.StatusSuspended) {
		must("SuspendUser", dir.SuspendUser(ctx, u.ID))
		must("ActivateUser", dir.ActivateUser(ctx, u.ID))
	}
	must("DeleteUser", dir.DeleteUser(ctx, u.ID))
	if _, err := dir.GetUser(ctx, u.ID); identity.CodeOf(err) != identity.NotFound {
		t.Fatalf("GetUser after DeleteUser: %v", err)
	}
	return u.ID
}

// Check checks what r recorded of a Flow that made the user id: no
// canary of c and not the id anywhere (span names, attributes, statuses,
// metric points); a span for each portable call, with its code; when
// http, a child span per HTTP attempt of each call, named by method and
// route template; and the portable layer's metrics.
func (r *Recorder) Check(t *testing.T, c interface {
	CheckString(tb testing.TB, label, s string)
}, id string, http bool) {
	t.Helper()
	dump := r.Dump(t)
	c.CheckString(t, "spans and metrics", dump)
	if strings.Contains(dump, id) {
		t.Errorf("the user id %q is in the telemetry:\n%s", id, dump)
	}
	for _, op := range []string{"CreateUser", "GetUser", "GetUserByEmail", "ListUsers", "DeleteUser"} {
		spans := r.Named(op)
		if len(spans) == 0 {
			t.Errorf("no span for %s:\n%s", op, dump)
			continue
		}
		for _, s := range spans {
			if v, ok := Attr(s, identity.AttrBackend); !ok || v.AsString() == "" {
				t.Errorf("span %s has no backend", op)
			}
			if _, ok := Attr(s, identity.AttrCode); !ok {
				t.Errorf("span %s has no code", op)
			}
			if !http {
				continue
			}
			kids := r.Children(s)
			if len(kids) == 0 {
				t.Errorf("span %s has no HTTP attempt under it", op)
			}
			for _, k := range kids {
				if k.Name == "token" {
					continue
				}
				route, ok := Attr(k, "url.template")
				method, _ := Attr(k, "http.request.method")
				if !ok || k.Name != method.AsString()+" "+route.AsString() {
					t.Errorf("HTTP span %q under %s: route %q", k.Name, op, route.AsString())
				}
				_, status := Attr(k, "http.response.status_code")
				_, failed := Attr(k, "error.type")
				if !status && !failed {
					t.Errorf("HTTP span %q has neither a status nor an error type", k.Name)
				}
			}
		}
	}
	last := r.Named("GetUser")
	if got := last[len(last)-1]; got.Status.Description != "NotFound" {
		t.Errorf("the GetUser of a deleted user: status %v %q", got.Status.Code, got.Status.Description)
	}
	names := map[string]bool{}
	for _, sm := range r.Metrics(t).ScopeMetrics {
		for _, m := range sm.Metrics {
			names[m.Name] = true
		}
	}
	for _, m := range []string{identity.MetricOperations, identity.MetricPages} {
		if !names[m] {
			t.Errorf("no metric %s: %v", m, names)
		}
	}
}
