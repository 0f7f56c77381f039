// Command large is the bench's large service: a few big SDKs linked in, as a cloud controller links them, so that
// the bench can show how each phase of the action grows with the binary (about 50 MB stripped).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	compute "google.golang.org/api/container/v1"
	"google.golang.org/api/option"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

var (
	Version = "dev"
	Build   = "none"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Printf("Version: %s\nBuild: %s\n", Version, Build)
		return
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	clients := []any{iam.NewFromConfig(cfg), s3.NewFromConfig(cfg)}
	kube, err := kubernetes.NewForConfig(&rest.Config{Host: "https://127.0.0.1:6443"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	gce, err := compute.NewService(context.Background(), option.WithoutAuthentication())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(len(clients), kube.Discovery() != nil, gce.BasePath)
}
