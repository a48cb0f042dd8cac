// Command provider is a stand-in resource provider plugin for the real Pulumi engine in
// test/engine. One executable serves any package: installed as pulumi-resource-aws,
// pulumi-resource-gcp and pulumi-resource-kubernetes, it takes the package name from the
// name it was started under.
//
// It accepts whatever inputs it is given and returns them as outputs, adds the outputs a
// cloud computes (ids, ARNs, endpoints; see computed.go) as unknowns during a preview and
// as invented values on create, and answers the data sources the program calls. It never
// talks to a cloud.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// versions is set at build time (-ldflags "-X main.versions=aws=7.48.0,gcp=...") to the
// version of each package's SDK in package.json: the engine expects the provider of the SDK's
// version and warns about any other. A package not listed reports no version.
var versions string

func versionOf(pkg string) string {
	for _, pair := range strings.Split(versions, ",") {
		if name, version, ok := strings.Cut(pair, "="); ok && name == pkg {
			return version
		}
	}
	return ""
}

func main() {
	pkg := packageName(os.Args[0])
	if pkg == "" {
		fmt.Fprintf(os.Stderr, "provider stand-in: start it as pulumi-resource-<package>, not %q\n", filepath.Base(os.Args[0]))
		os.Exit(2)
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(s, newProvider(pkg))
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "provider stand-in %s: %v\n", pkg, err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "provider stand-in %s: %v\n", pkg, err)
		os.Exit(1)
	}
}

// packageName is the <package> of pulumi-resource-<package>[.exe].
func packageName(exe string) string {
	base := strings.TrimSuffix(filepath.Base(exe), ".exe")
	const prefix = "pulumi-resource-"
	if !strings.HasPrefix(base, prefix) || len(base) == len(prefix) {
		return ""
	}
	return base[len(prefix):]
}
