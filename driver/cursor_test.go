package driver

import "testing"

func TestCursorRoundTrip(t *testing.T) {
	for _, payload := range []string{"42", `{"p":2,"a":1700000000}`, "00uabc?after=x&y=1"} {
		c := EncodeCursor("ts1.", []byte(payload))
		got, ok := DecodeCursor("ts1.", c)
		if !ok || string(got) != payload {
			t.Errorf("DecodeCursor(EncodeCursor(%q)) = %q, %v", payload, got, ok)
		}
	}
}

func TestDecodeCursorRefuses(t *testing.T) {
	for _, c := range []string{"", "ts1.", "ok1.NDI", "NDI", "ts1.!!!", "ts1.NDI=", "TS1.NDI"} {
		if b, ok := DecodeCursor("ts1.", c); ok {
			t.Errorf("DecodeCursor(%q) = %q, true; want false", c, b)
		}
	}
}

func TestPageSize(t *testing.T) {
	for _, c := range []struct{ requested, want int }{{0, 50}, {1, 1}, {50, 50}, {100, 100}, {101, 100}, {1 << 30, 100}} {
		if got := PageSize(c.requested, 50, 100); got != c.want {
			t.Errorf("PageSize(%d, 50, 100) = %d, want %d", c.requested, got, c.want)
		}
	}
	if e := ForeignCursorError(); e.Code != InvalidArgument || e.Field != "cursor" {
		t.Errorf("ForeignCursorError() = %v", e)
	}
}
