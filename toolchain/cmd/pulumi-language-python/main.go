// A Python language host for the Pulumi CLI, standing in for the real
// `pulumi-language-python`, which the Go module proxy these machines reach does not serve
// (docs/toolchain.md has the probe). Its work is done by real Pulumi code from modules that
// are served, and by the real `pulumi` SDK from PyPI in the program's virtual environment:
//
//   - Run starts the SDK's own executor, `pulumi-language-python-exec` (shipped in the
//     sdk/v3 module, installed beside this host by toolchain/build.sh), with the program's
//     Python from the real toolchain code (sdk/v3/python/toolchain: the `virtualenv` runtime
//     option), the stack config in PULUMI_CONFIG and its secret keys in
//     PULUMI_CONFIG_SECRET_KEYS, and the executor's arguments (--monitor, --engine,
//     --project, --root_directory, --stack, --pwd, --dry_run, --parallel, --organization,
//     then the entry point). Exit code 32 means the SDK printed the error: bail.
//   - InstallDependencies creates the virtual environment and installs requirements.txt
//     (toolchain.InstallDependencies, pip).
//   - GetRequiredPackages lists the resource plugins the installed distributions declare in
//     a `pulumi-plugin.json`, as the real host does.
//   - GeneratePackage (`pulumi package gen-sdk --language python`, `pulumi package add`)
//     runs the real Python code generator (pkg/v3 codegen/python); Link adds the generated
//     SDK to requirements.txt (toolchain.LinkPackages).
//
// Left out: poetry and uv (pip only), type checkers, debugging, packing, program generation.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"openclaw-vps/toolchain/internal/codegenhost"

	codegen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The version of the SDK this host was built beside; set with -ldflags.
var version = "3.248.0"

// The executor's exit code after it printed an error the user can act on.
const exitAfterLoggedError = 32

// The SDK's executor, beside this host as Pulumi's releases ship it.
const executor = "pulumi-language-python-exec"

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	exec          string
	engineAddress string
}

func main() {
	flags := flag.NewFlagSet("pulumi-language-python", flag.ContinueOnError)
	flags.String("tracing", "", "")
	useExecutor := flags.String("use-executor", "", "")
	if err := flags.Parse(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	h := &host{exec: *useExecutor}
	if h.exec == "" {
		self, err := os.Executable()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		h.exec = filepath.Join(filepath.Dir(self), executor)
	}
	if _, err := os.Stat(h.exec); err != nil {
		fmt.Fprintf(os.Stderr, "missing executor %s: %v\n", h.exec, err)
		os.Exit(1)
	}
	if args := flags.Args(); len(args) > 0 {
		h.engineAddress = args[0]
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
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

// options reads Pulumi.yaml's runtime options: `virtualenv` (relative to the project's
// root) and `toolchain`, which must be pip here.
func options(info *pulumirpc.ProgramInfo) (toolchain.PythonOptions, error) {
	o := toolchain.PythonOptions{Root: info.GetRootDirectory(), ProgramDir: info.GetProgramDirectory(), Toolchain: toolchain.Pip}
	if info.GetOptions() == nil {
		return o, nil
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["virtualenv"]; ok {
		s, ok := v.(string)
		if !ok {
			return o, errors.New("virtualenv option must be a string")
		}
		o.Virtualenv = s
	}
	if v, ok := m["toolchain"]; ok && v != "pip" {
		return o, fmt.Errorf("toolchain %v: this language host supports pip only (docs/toolchain.md)", v)
	}
	if _, ok := m["typechecker"]; ok {
		return o, errors.New("typechecker: this language host runs none (docs/toolchain.md)")
	}
	return o, nil
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	opts, err := options(req.GetInfo())
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	args := []string{h.exec}
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("project", req.GetProject())
	add("root_directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("organization", req.GetOrganization())
	args = append(append(args, req.GetInfo().GetEntryPoint()), req.GetArgs()...)

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
	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return nil, err
	}
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(env, "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(keys))
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == exitAfterLoggedError:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exit):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", exit.ExitCode())}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("problem executing program (could not run language executor): %v", err)}, nil
	}
}

func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]) error {
	opts, err := options(req.GetInfo())
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return err
	}
	if err := tc.InstallDependencies(server.Context(), req.GetInfo().GetProgramDirectory(), req.GetUseLanguageVersionTools(), true, stdout, stderr); err != nil {
		return err
	}
	return closer.Close()
}

// pluginScript prints, for each installed distribution that ships a pulumi-plugin.json, one
// JSON line: the distribution's name and version and the file's content.
const pluginScript = `
import importlib.metadata, json
for dist in importlib.metadata.distributions():
    for f in dist.files or []:
        if f.name == "pulumi-plugin.json":
            print(json.dumps({"name": dist.metadata["Name"], "version": dist.version, "plugin": json.loads(f.read_text())}))
`

func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	opts, err := options(req.GetInfo())
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	if err := tc.EnsureVenv(ctx, req.GetInfo().GetProgramDirectory(), false, false, io.Discard, os.Stderr); err != nil {
		return nil, err
	}
	cmd, err := tc.Command(ctx, "-c", pluginScript)
	if err != nil {
		return nil, err
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the installed Pulumi packages: %w", err)
	}
	var packages []*pulumirpc.PackageDependency
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		var found struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Plugin  struct {
				Resource bool   `json:"resource"`
				Name     string `json:"name"`
				Version  string `json:"version"`
				Server   string `json:"server"`
			} `json:"plugin"`
		}
		if err := json.Unmarshal([]byte(line), &found); err != nil {
			return nil, err
		}
		if !found.Plugin.Resource {
			continue
		}
		name := found.Plugin.Name
		if name == "" {
			name = strings.TrimPrefix(found.Name, "pulumi_")
		}
		v := found.Plugin.Version
		if v == "" {
			v = found.Version
		}
		packages = append(packages, &pulumirpc.PackageDependency{Kind: "resource", Name: name, Version: "v" + strings.TrimPrefix(v, "v"), Server: found.Plugin.Server})
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// The engine asks for these on every run; an empty answer is the honest one.
func (h *host) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	opts, err := options(req.GetInfo())
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: info.PythonExecutable, Version: info.PythonVersion.String()}, nil
}

// GeneratePackage writes the package's Python SDK.
func (h *host) GeneratePackage(_ context.Context, req *pulumirpc.GeneratePackageRequest) (*pulumirpc.GeneratePackageResponse, error) {
	return codegenhost.GeneratePackage(req, func(pkg *schema.Package, loader schema.ReferenceLoader) (map[string][]byte, error) {
		return codegen.GeneratePackage("pulumi-language-python", pkg, req.GetExtraFiles(), loader)
	})
}

// Link adds each generated SDK to requirements.txt, as a path pip installs from.
func (h *host) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	opts, err := options(req.GetInfo())
	if err != nil {
		return nil, err
	}
	linked, err := codegenhost.LinkedPackages(ctx, req, "python", codegen.Importer)
	if err != nil {
		return nil, err
	}
	packages := map[string]string{}
	instructions := "You can import the SDK in your Python code with:\n\n"
	for _, l := range linked {
		if l.Package == nil {
			packages["pulumi"] = l.Path
			continue
		}
		name := codegen.PyPack(l.Ref.Namespace(), l.Ref.Name())
		importName := strings.ReplaceAll(l.Ref.Name(), "-", "_")
		if info, ok := l.Package.Language["python"].(codegen.PackageInfo); ok && info.PackageName != "" {
			name, importName = info.PackageName, info.PackageName
		}
		packages[name] = l.Path
		instructions += fmt.Sprintf("  import %s as %s\n", name, importName)
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	if err := tc.LinkPackages(ctx, packages); err != nil {
		return nil, fmt.Errorf("linking packages: %w", err)
	}
	return &pulumirpc.LinkResponse{ImportInstructions: instructions}, nil
}
