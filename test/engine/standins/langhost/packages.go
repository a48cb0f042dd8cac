package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

type packageJSON struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Pulumi          struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}

// resourcePackages lists the direct dependencies of the package that holds programDir whose
// package.json says `"pulumi": {"resource": true}`: the providers the program's SDKs ask for,
// at the version each SDK names.
func resourcePackages(programDir string) ([]*pulumirpc.PackageDependency, error) {
	root, project, err := nearestPackage(programDir)
	if err != nil {
		return nil, err
	}
	var names []string
	for name := range project.Dependencies {
		names = append(names, name)
	}
	for name := range project.DevDependencies {
		names = append(names, name)
	}
	sort.Strings(names)

	var deps []*pulumirpc.PackageDependency
	for _, name := range names {
		dep, err := readPackageJSON(filepath.Join(root, "node_modules", name, "package.json"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		if !dep.Pulumi.Resource {
			continue
		}
		plugin := dep.Pulumi.Name
		if plugin == "" {
			plugin = strings.TrimPrefix(strings.TrimPrefix(dep.Name, "@pulumi/"), "@")
		}
		version := dep.Pulumi.Version
		if version == "" {
			version = dep.Version
		}
		deps = append(deps, &pulumirpc.PackageDependency{
			Kind: "resource", Name: plugin, Version: "v" + strings.TrimPrefix(version, "v"), Server: dep.Pulumi.Server,
		})
	}
	return deps, nil
}

func nearestPackage(dir string) (string, *packageJSON, error) {
	for d := dir; ; d = filepath.Dir(d) {
		p, err := readPackageJSON(filepath.Join(d, "package.json"))
		if err == nil {
			return d, p, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", nil, err
		}
		if filepath.Dir(d) == d {
			return "", nil, fmt.Errorf("no package.json above %s", dir)
		}
	}
}
