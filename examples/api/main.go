// api is the benchmarks' realistic service: a router, a structured logger, metrics, YAML config and
// protobuf-encoded responses, so its binary has a real dependency tree behind it.
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"gopkg.in/yaml.v3"
)

var Version, Build = "unknown", "unknown"

type config struct {
	Listen   string `yaml:"listen"`
	Greeting string `yaml:"greeting"`
}

func loadConfig(path string) (config, error) {
	cfg := config{Listen: ":3000", Greeting: "Hello"}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return cfg, nil
	}
	if err != nil {
		return cfg, err
	}
	return cfg, yaml.Unmarshal(data, &cfg)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Printf("Build: %s\nVersion: %s\n", Build, Version)
		return
	}
	logger, _ := zap.NewProduction()
	defer logger.Sync()
	cfg, err := loadConfig("/etc/api/config.yaml")
	if err != nil {
		logger.Fatal("config", zap.Error(err))
	}
	greetings := prometheus.NewCounter(prometheus.CounterOpts{Name: "greetings_total", Help: "Greetings sent."})
	prometheus.MustRegister(greetings)

	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.Recoverer)
	r.Get("/", func(w http.ResponseWriter, req *http.Request) {
		name := req.URL.Query().Get("name")
		if name == "" {
			name = "world"
		}
		greetings.Inc()
		body, _ := structpb.NewStruct(map[string]any{"message": cfg.Greeting + " " + name})
		out, _ := protojson.Marshal(body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	})
	r.Get("/time", func(w http.ResponseWriter, _ *http.Request) {
		out, _ := protojson.Marshal(timestamppb.New(time.Now()))
		_, _ = w.Write(out)
	})
	r.Handle("/metrics", promhttp.Handler())
	logger.Info("listening", zap.String("addr", cfg.Listen), zap.String("version", Version))
	if err := http.ListenAndServe(cfg.Listen, r); err != nil {
		logger.Fatal("serve", zap.Error(err))
	}
}
