package langhost

// Code generation: a language host's requests (`pulumi package gen-sdk`, `pulumi package
// add`) answered with the real code generators of the pkg/v3 module (codegen/nodejs,
// codegen/python): the schema bound through the engine's schema loader, the generated files
// written under the requested directory, and for Link each package loaded the same way so
// the host can name and link its SDK.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Generator renders a bound package's SDK: file name to content.
type Generator func(pkg *schema.Package, loader schema.ReferenceLoader) (map[string][]byte, error)

// GeneratePackage binds the request's schema, lets generate render it, and writes the files.
// Schema errors come back as diagnostics, as the real hosts return them.
func GeneratePackage(req *pulumirpc.GeneratePackageRequest, generate Generator) (*pulumirpc.GeneratePackageResponse, error) {
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.GetSchema()), &spec); err != nil {
		return nil, fmt.Errorf("the package's schema: %w", err)
	}
	cached := schema.NewCachedLoader(loader)
	pkg, diags, err := schema.BindSpec(spec, cached, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	response := &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}
	if diags.HasErrors() {
		return response, nil
	}
	files, err := generate(pkg, cached)
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		out := filepath.Join(req.GetDirectory(), name)
		if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(out, data, 0o600); err != nil {
			return nil, err
		}
	}
	return response, nil
}

// Linked is one package a Link request names: its bound definition and where its SDK is.
type Linked struct {
	Package *schema.Package
	Ref     schema.PackageReference
	Path    string
}

// LinkedPackages loads every package of a Link request through the engine's loader, with
// the language's importer applied, so its language settings (package names) can be read.
// The "pulumi" core SDK, which a request may name too, is returned with no definition.
func LinkedPackages(ctx context.Context, req *pulumirpc.LinkRequest, language string, importer schema.Language) ([]Linked, error) {
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	cached := schema.NewCachedLoader(loader)
	var out []Linked
	for _, dep := range req.GetPackages() {
		if dep.GetPackage().GetName() == "pulumi" {
			out = append(out, Linked{Path: dep.GetPath()})
			continue
		}
		desc := &schema.PackageDescriptor{Name: dep.GetPackage().GetName(), DownloadURL: dep.GetPackage().GetServer()}
		if v, err := semver.ParseTolerant(dep.GetPackage().GetVersion()); err == nil {
			desc.Version = &v
		}
		if p := dep.GetPackage().GetParameterization(); p != nil {
			desc.Parameterization = &schema.ParameterizationDescriptor{Name: p.GetName(), Value: p.GetValue()}
			if v, err := semver.ParseTolerant(p.GetVersion()); err == nil {
				desc.Parameterization.Version = v
			}
		}
		ref, err := schema.LoadPackageReferenceV2(ctx, cached, desc)
		if err != nil {
			return nil, err
		}
		pkg, err := ref.Definition()
		if err != nil {
			return nil, err
		}
		if err := pkg.ImportLanguages(map[string]schema.Language{language: importer}); err != nil {
			return nil, err
		}
		out = append(out, Linked{Package: pkg, Ref: ref, Path: dep.GetPath()})
	}
	return out, nil
}
