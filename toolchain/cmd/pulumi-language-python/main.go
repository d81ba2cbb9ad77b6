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
	"path/filepath"
	"strconv"
	"strings"

	"openclaw-vps/toolchain/internal/langhost"

	codegen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
)

// The version of the SDK this host was built beside; set with -ldflags.
var version = "3.248.0"

// The SDK's executor, beside this host as Pulumi's releases ship it.
const executor = "pulumi-language-python-exec"

type host struct {
	langhost.Base
	exec string
}

func main() {
	flags := flag.NewFlagSet("pulumi-language-python", flag.ContinueOnError)
	flags.String("tracing", "", "")
	useExecutor := flags.String("use-executor", "", "")
	if err := flags.Parse(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	h := &host{Base: langhost.Base{Version: version}, exec: *useExecutor}
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
		h.EngineAddress = args[0]
	}
	langhost.Serve(h)
}

// toolchainOf is the Python toolchain (pip, with the virtualenv option) for a program.
func toolchainOf(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	opts, err := options(info)
	if err != nil {
		return nil, err
	}
	return toolchain.ResolveToolchain(opts)
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

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	tc, err := toolchainOf(req.GetInfo())
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
	add("engine", h.EngineAddress)
	add("project", req.GetProject())
	add("root_directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("organization", req.GetOrganization())
	args = append(append(args, req.GetInfo().GetEntryPoint()), req.GetArgs()...)

	config, err := langhost.ConfigEnv(req)
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
	cmd.Env = append(env, config...)
	return langhost.RunResult(cmd.Run(), "program exited with non-zero exit code: %d"), nil
}

func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]) error {
	tc, err := toolchainOf(req.GetInfo())
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
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
	tc, err := toolchainOf(req.GetInfo())
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
		packages = append(packages, langhost.ResourcePackage(found.Plugin.Name, found.Plugin.Version, found.Plugin.Server, found.Name, found.Version, "pulumi_"))
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, err := toolchainOf(req.GetInfo())
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
	return langhost.GeneratePackage(req, func(pkg *schema.Package, loader schema.ReferenceLoader) (map[string][]byte, error) {
		return codegen.GeneratePackage("pulumi-language-python", pkg, req.GetExtraFiles(), loader)
	})
}

// Link adds each generated SDK to requirements.txt, as a path pip installs from.
func (h *host) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	tc, err := toolchainOf(req.GetInfo())
	if err != nil {
		return nil, err
	}
	linked, err := langhost.LinkedPackages(ctx, req, "python", codegen.Importer)
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
	if err := tc.LinkPackages(ctx, packages); err != nil {
		return nil, fmt.Errorf("linking packages: %w", err)
	}
	return &pulumirpc.LinkResponse{ImportInstructions: instructions}, nil
}
