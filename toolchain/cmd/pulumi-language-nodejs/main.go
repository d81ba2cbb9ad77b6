// A Node.js language host for the Pulumi CLI, standing in for the real
// `pulumi-language-nodejs`, which the Go module proxy these machines reach does not serve
// (docs/toolchain.md has the probe). It does what the real host does for this project and no
// more, and leaves every decision about the program to the real @pulumi/pulumi SDK in the
// project's node_modules:
//
//   - Run starts `node [nodeargs] <@pulumi/pulumi/cmd/run> --monitor ... <program>` in the
//     engine's working directory, with the stack config in PULUMI_CONFIG and its secret keys
//     in PULUMI_CONFIG_SECRET_KEYS, and PULUMI_NODEJS_TYPESCRIPT from the runtime option
//     `typescript` (default true). Exit code 32 means the SDK already printed the error: the
//     host answers bail, as the real one does.
//
//   - RunPlugin starts a plugin directory (PulumiPlugin.yaml, PulumiPolicy.yaml) with
//     `@pulumi/pulumi/cmd/run-plugin` (kind "resource") or `cmd/run-policy-pack` (kind
//     "analyzer"), streaming its stdout, stderr and exit code back to the engine.
//
//   - GetRequiredPackages lists the resource plugins of node_modules' package.json files
//     that declare `"pulumi": {"resource": true}`, with their name and version.
//
//   - GeneratePackage (`pulumi package gen-sdk --language nodejs`, `pulumi package add`) runs
//     the real Node.js code generator of the pkg/v3 module (codegen/nodejs) on the schema the
//     engine's loader binds; Link adds the generated SDK to the program's package.json with
//     the real package manager code (sdk/v3/nodejs/npm: `npm pkg set`), as the real host does.
//
//   - InstallDependencies (`pulumi install`) runs `npm install` through the same npm code.
//
// Everything else (other package managers, debugging, packing) is left unimplemented: the
// engine falls back or fails loudly.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"openclaw-vps/toolchain/internal/langhost"

	codegen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The version of the SDK this host was built beside; set with -ldflags.
var version = "3.248.0"

type host struct {
	langhost.Base
}

func main() {
	flags := flag.NewFlagSet("pulumi-language-nodejs", flag.ContinueOnError)
	// Flags the engine may pass; accepted and unused.
	flags.String("tracing", "", "")
	flags.String("root", "", "")
	flags.Bool("typescript", true, "")
	flags.String("tsconfig", "", "")
	flags.String("nodeargs", "", "")
	flags.String("packagemanager", "", "")
	if err := flags.Parse(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	h := &host{langhost.Base{Version: version}}
	if args := flags.Args(); len(args) > 0 {
		h.EngineAddress = args[0]
	}
	langhost.Serve(h)
}

// packageManifest is the part of a package.json this host reads.
type packageManifest struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  *struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func (h *host) GetRequiredPackages(_ context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	manifests, err := filepath.Glob(filepath.Join(dir, "node_modules", "*", "package.json"))
	if err != nil {
		return nil, err
	}
	scoped, err := filepath.Glob(filepath.Join(dir, "node_modules", "@*", "*", "package.json"))
	if err != nil {
		return nil, err
	}
	manifests = append(manifests, scoped...)
	sort.Strings(manifests)
	var packages []*pulumirpc.PackageDependency
	for _, file := range manifests {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var m packageManifest
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if m.Pulumi == nil || !m.Pulumi.Resource {
			continue
		}
		packages = append(packages, langhost.ResourcePackage(m.Pulumi.Name, m.Pulumi.Version, m.Pulumi.Server, m.Name, m.Version, "@pulumi/"))
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// sdkScript finds one of @pulumi/pulumi's entry points the way node resolves it from dir.
func sdkScript(dir, script string) (string, error) {
	cmd := exec.Command("node", "-e", "process.stdout.write(require.resolve(process.argv[1]))", "@pulumi/pulumi/cmd/"+script)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("@pulumi/pulumi is not installed in %s (run npm ci): %s", dir, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// runtimeOptions are Pulumi.yaml's `runtime.options`.
type runtimeOptions struct {
	typescript bool
	tsconfig   string
	nodeargs   []string
}

func optionsOf(info *pulumirpc.ProgramInfo) runtimeOptions {
	o := runtimeOptions{typescript: true}
	if info.GetOptions() == nil {
		return o
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"].(bool); ok {
		o.typescript = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		o.tsconfig = v
	}
	if v, ok := m["nodeargs"].(string); ok && v != "" {
		o.nodeargs = strings.Fields(v)
	}
	return o
}

func (o runtimeOptions) env() []string {
	env := []string{"PULUMI_NODEJS_TYPESCRIPT=" + strconv.FormatBool(o.typescript)}
	if o.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfig)
	}
	return env
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := info.GetProgramDirectory()
	runScript, err := sdkScript(programDir, "run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	opts := optionsOf(info)
	config, err := langhost.ConfigEnv(req)
	if err != nil {
		return nil, err
	}
	args := append([]string{}, opts.nodeargs...)
	args = append(args, runScript,
		"--monitor="+req.GetMonitorAddress(),
		"--engine="+h.EngineAddress,
		"--project="+req.GetProject(),
		"--stack="+req.GetStack(),
		"--pwd="+req.GetPwd(),
		"--root-directory="+info.GetRootDirectory(),
		"--parallel="+strconv.Itoa(int(req.GetParallel())),
	)
	if req.GetOrganization() != "" {
		args = append(args, "--organization="+req.GetOrganization())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	args = append(args, filepath.Join(programDir, info.GetEntryPoint()))
	args = append(args, req.GetArgs()...)

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(), opts.env()...)
	cmd.Env = append(cmd.Env, config...)
	return langhost.RunResult(cmd.Run(), "Program exited with non-zero exit code: %d"), nil
}

// streamWriter sends what a plugin writes to the engine, one message a write.
type streamWriter struct {
	mu     *sync.Mutex
	send   func(*pulumirpc.RunPluginResponse) error
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	data := append([]byte{}, p...)
	msg := &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: data}}
	if w.stderr {
		msg = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: data}}
	}
	if err := w.send(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	info := req.GetInfo()
	dir := info.GetProgramDirectory()
	var args []string
	opts := optionsOf(info)
	switch req.GetKind() {
	case "analyzer":
		script, err := sdkScript(dir, "run-policy-pack")
		if err != nil {
			return err
		}
		// run-policy-pack takes <engine address> <policy pack directory>.
		args = append(append(opts.nodeargs, script), req.GetArgs()...)
		args = append(args, dir)
	case "resource", "":
		script, err := sdkScript(dir, "run-plugin")
		if err != nil {
			return err
		}
		args = append(append(opts.nodeargs, script, "--pwd="+req.GetPwd(), dir), req.GetArgs()...)
	default:
		return status.Errorf(codes.Unimplemented, "plugins of kind %q are not supported", req.GetKind())
	}
	mu := &sync.Mutex{}
	cmd := exec.CommandContext(stream.Context(), "node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = append(append(os.Environ(), opts.env()...), req.GetEnv()...)
	cmd.Stdout = streamWriter{mu: mu, send: stream.Send}
	cmd.Stderr = streamWriter{mu: mu, send: stream.Send, stderr: true}
	cmd.Stdin = nil
	code := int32(0)
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return err
		}
		code = int32(exit.ExitCode())
	}
	return stream.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: "node", Version: strings.TrimSpace(string(out))}, nil
}

// InstallDependencies (`pulumi install`) runs the project's package manager with the real
// code of sdk/v3/nodejs/npm: `npm install` in the program's directory.
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	dir := req.GetInfo().GetProgramDirectory()
	pm, err := npm.ResolvePackageManager(npm.NpmPackageManager, dir)
	if err != nil {
		return err
	}
	if err := pm.Install(server.Context(), dir, false, stdout, stderr); err != nil {
		return err
	}
	return closer.Close()
}

// GeneratePackage writes the package's Node.js SDK, local or publishable as the request says.
func (h *host) GeneratePackage(_ context.Context, req *pulumirpc.GeneratePackageRequest) (*pulumirpc.GeneratePackageResponse, error) {
	return langhost.GeneratePackage(req, func(pkg *schema.Package, loader schema.ReferenceLoader) (map[string][]byte, error) {
		return codegen.GeneratePackage("pulumi-language-nodejs", pkg, req.GetExtraFiles(), req.GetLocalDependencies(), req.GetLocal(), loader)
	})
}

// Link makes each generated SDK a dependency of the program (`npm pkg set
// dependencies.<name>=file:<path>`) and says how to import it.
func (h *host) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	linked, err := langhost.LinkedPackages(ctx, req, "nodejs", codegen.Importer)
	if err != nil {
		return nil, err
	}
	dir := req.GetInfo().GetProgramDirectory()
	pm, err := npm.ResolvePackageManager(npm.NpmPackageManager, dir)
	if err != nil {
		return nil, err
	}
	instructions := "You can import the SDK in your TypeScript code with:\n\n"
	for _, l := range linked {
		if l.Package == nil {
			continue
		}
		name := "@pulumi/" + l.Package.Name
		if l.Package.Namespace != "" {
			name = "@" + l.Package.Namespace + "/" + l.Package.Name
		}
		if info, ok := l.Package.Language["nodejs"].(codegen.NodePackageInfo); ok && info.PackageName != "" {
			name = info.PackageName
		}
		if err := pm.Link(ctx, dir, name, l.Path); err != nil {
			return nil, err
		}
		instructions += fmt.Sprintf("  import * as %s from %q;\n", strings.ReplaceAll(l.Ref.Name(), "-", "_"), name)
	}
	return &pulumirpc.LinkResponse{ImportInstructions: instructions}, nil
}
