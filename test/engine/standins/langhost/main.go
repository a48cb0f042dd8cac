// Command langhost is a stand-in for pulumi-language-nodejs, the Node.js language host, which
// the Go module proxy does not serve (its module path answers 403 "This module version is not
// available"). Installed as pulumi-language-nodejs on the PATH, it does only what the engine
// needs of a language host to run a TypeScript program and a policy pack: it launches the
// Node.js entry points of the installed @pulumi/pulumi SDK (cmd/run for the program,
// cmd/run-policy-pack for a policy pack) with the arguments and environment the SDK reads.
// Everything else (the deployment engine, the resource monitor, the analyzer protocol, the
// backend) is the real CLI's.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

func main() {
	// The engine starts language hosts as `<bin> [-root=<dir>] [-tracing=<url>] <engine address>`.
	root := flag.String("root", "", "project root directory")
	flag.String("tracing", "", "Zipkin endpoint (ignored)")
	flag.Parse()
	engine := flag.Arg(0)

	node, err := findNode()
	if err != nil {
		fmt.Fprintf(os.Stderr, "language host stand-in: %v\n", err)
		os.Exit(1)
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, newHost(node, engine, *root))
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "language host stand-in: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "language host stand-in: %v\n", err)
		os.Exit(1)
	}
}
