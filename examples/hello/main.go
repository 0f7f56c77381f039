// hello is the example service of seed 001: GET /?name=Ahmed answers "Hello Ahmed".
package main

import (
	"fmt"
	"net/http"
	"os"
)

// Injected at build time with -ldflags "-X main.Version=… -X main.Build=…".
var Version, Build = "unknown", "unknown"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Printf("Build: %s\nVersion: %s\n", Build, Version)
		return
	}
	http.HandleFunc("/", hello)
	if err := http.ListenAndServe(":3000", nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func hello(resp http.ResponseWriter, req *http.Request) {
	name := req.URL.Query().Get("name")
	if name == "" {
		name = "world"
	}
	fmt.Fprintf(resp, "Hello %s", name)
}
