// Package langhost is what this project's two language hosts (cmd/pulumi-language-nodejs,
// cmd/pulumi-language-python) share: serving the language runtime protocol as the engine
// starts a host (the port on the first line of stdout), the engine's address from the
// handshake, the stack config a program gets in its environment, how a program's exit
// becomes the run's answer, and code generation (codegen.go).
package langhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// ExitAfterLoggedError is the exit code both SDKs' executors use after printing an error the
// user can act on: the host then answers bail, and the engine prints nothing more.
const ExitAfterLoggedError = 32

// Base answers the calls both hosts answer alike. Embed it.
type Base struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	// EngineAddress is the engine's gRPC address, from the command line or the handshake.
	EngineAddress string
	// Version is the SDK version the host was built beside.
	Version string
}

func (b *Base) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	b.EngineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (b *Base) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: b.Version}, nil
}

// GetProgramDependencies: the engine asks on every run; an empty answer is the honest one.
func (b *Base) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// Serve serves the host until the engine stops it; the engine reads the port from the
// first line of stdout.
func Serve(host pulumirpc.LanguageRuntimeServer) {
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "could not start the language host: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "language host stopped: %v\n", err)
		os.Exit(1)
	}
}

// ConfigEnv is the stack config as both SDKs read it: PULUMI_CONFIG (a JSON object) and
// PULUMI_CONFIG_SECRET_KEYS (a JSON list, empty when none).
func ConfigEnv(req *pulumirpc.RunRequest) ([]string, error) {
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	keys, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	return []string{"PULUMI_CONFIG=" + string(config), "PULUMI_CONFIG_SECRET_KEYS=" + string(keys)}, nil
}

// RunResult turns a program's end into the run's answer: nothing, bail (it printed its
// error), or an error naming the exit code (`exitMessage` formats it) or the failure to start.
func RunResult(err error, exitMessage string) *pulumirpc.RunResponse {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}
	case errors.As(err, &exit) && exit.ExitCode() == ExitAfterLoggedError:
		return &pulumirpc.RunResponse{Bail: true}
	case errors.As(err, &exit):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(exitMessage, exit.ExitCode())}
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("problem executing program (could not run language executor): %v", err)}
	}
}

// ResourcePackage is the resource plugin an installed package declares (the `pulumi`
// settings of its package.json or pulumi-plugin.json): its name and version, else the
// package's own name (less the prefix `trim`) and version.
func ResourcePackage(name, version, server, packageName, packageVersion, trim string) *pulumirpc.PackageDependency {
	if name == "" {
		name = strings.TrimPrefix(packageName, trim)
	}
	if version == "" {
		version = packageVersion
	}
	return &pulumirpc.PackageDependency{Kind: "resource", Name: name, Version: "v" + strings.TrimPrefix(version, "v"), Server: server}
}
