package main

import (
	"net/http/httptest"
	"testing"
)

func TestHello(t *testing.T) {
	for query, want := range map[string]string{"/?name=Ahmed": "Hello Ahmed", "/": "Hello world"} {
		rec := httptest.NewRecorder()
		hello(rec, httptest.NewRequest("GET", query, nil))
		if got := rec.Body.String(); got != want {
			t.Errorf("%s: got %q, want %q", query, got, want)
		}
	}
}
