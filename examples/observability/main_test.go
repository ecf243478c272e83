package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, "memory://"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"Name": "CreateUser"`, `"Name": "ListUsers"`, `"identity.operation.duration"`, `"identity.list.pages"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output has no %s:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "@example.com") {
		t.Errorf("an email is in the telemetry:\n%s", out.String())
	}
}
