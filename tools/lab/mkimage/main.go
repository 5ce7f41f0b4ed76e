// Command mkimage writes a single-layer image as a docker-archive tar (the `docker save` layout: manifest.json,
// an image config named by its digest, and an uncompressed layer tar), which `ctr images import` reads with no
// daemon and no registry. The layer holds the given files; timestamps are fixed, so the same inputs give the
// same image ID.
//
//	mkimage -o echo.tar -ref remora.local/lab/echo:v1 -entrypoint /echo -port 7000 echo=/path/to/echo
//
// With -layer FILE the layer is an existing tar instead (a whole root filesystem, symlinks included, as GNU tar
// writes it with --sort=name --mtime=@0 --owner=0 --group=0), and -env sets the image's environment.
package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

var epoch = time.Unix(0, 0).UTC()

func main() {
	out := flag.String("o", "", "output docker-archive tar")
	ref := flag.String("ref", "", "image reference (repository:tag), fully qualified")
	layerFile := flag.String("layer", "", "an existing layer tar to use instead of PATH_IN_IMAGE=HOST_FILE pairs")
	workdir := flag.String("workdir", "", "working directory of the entrypoint")
	var entrypoint, ports, env stringList
	flag.Var(&entrypoint, "entrypoint", "entrypoint argv element (repeat)")
	flag.Var(&ports, "port", "exposed TCP port (repeat)")
	flag.Var(&env, "env", "KEY=VALUE of the image's environment (repeat; default PATH=/)")
	flag.Parse()
	if *out == "" || *ref == "" || len(entrypoint) == 0 || (flag.NArg() == 0) == (*layerFile == "") {
		log.Fatal("mkimage: expected -o FILE -ref REPO:TAG -entrypoint PATH and either -layer FILE or at least one PATH_IN_IMAGE=HOST_FILE")
	}
	var layer []byte
	var err error
	if *layerFile != "" {
		layer, err = os.ReadFile(*layerFile)
	} else {
		layer, err = buildLayer(flag.Args())
	}
	if err != nil {
		log.Fatalf("mkimage: %v", err)
	}
	if len(env) == 0 {
		env = stringList{"PATH=/"}
	}
	diffID := sha256.Sum256(layer)
	exposed := map[string]struct{}{}
	for _, p := range ports {
		exposed[p+"/tcp"] = struct{}{}
	}
	config := map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"created":      epoch.Format(time.RFC3339),
		"config":       imageConfig(entrypoint, exposed, env, *workdir),
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(diffID[:])}},
		"history":      []map[string]any{{"created": epoch.Format(time.RFC3339), "created_by": "remora tools/lab/mkimage"}},
	}
	configJSON, _ := json.Marshal(config)
	configID := sha256.Sum256(configJSON)
	configName := hex.EncodeToString(configID[:]) + ".json"
	layerName := hex.EncodeToString(diffID[:]) + "/layer.tar"
	manifest, _ := json.Marshal([]map[string]any{{"Config": configName, "RepoTags": []string{*ref}, "Layers": []string{layerName}}})

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	must(addDir(tw, hex.EncodeToString(diffID[:])+"/"))
	for _, f := range []struct {
		name string
		data []byte
	}{{layerName, layer}, {configName, configJSON}, {"manifest.json", manifest}} {
		must(addFile(tw, f.name, f.data, 0o644))
	}
	must(tw.Close())
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		log.Fatalf("mkimage: %v", err)
	}
	fmt.Printf("%s sha256:%s\n", *ref, hex.EncodeToString(configID[:]))
}

func imageConfig(entrypoint stringList, exposed map[string]struct{}, env stringList, workdir string) map[string]any {
	c := map[string]any{"Entrypoint": []string(entrypoint), "ExposedPorts": exposed, "Env": []string(env)}
	if workdir != "" {
		c["WorkingDir"] = workdir
	}
	return c
}

// buildLayer tars PATH_IN_IMAGE=HOST_FILE pairs, with their parent directories, in a stable order.
func buildLayer(specs []string) ([]byte, error) {
	files := map[string]string{}
	dirs := map[string]bool{}
	for _, s := range specs {
		inImage, host, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("expected PATH_IN_IMAGE=HOST_FILE, got %q", s)
		}
		p := strings.TrimPrefix(path.Clean("/"+inImage), "/")
		files[p] = host
		for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	dirs["tmp"] = true
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names)
	for _, d := range names {
		mode := int64(0o755)
		if d == "tmp" {
			mode = 0o1777
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: mode, ModTime: epoch, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
	}
	names = names[:0]
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		data, err := os.ReadFile(files[f])
		if err != nil {
			return nil, err
		}
		if err := addFile(tw, f, data, 0o755); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func addDir(tw *tar.Writer, name string) error {
	return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755, ModTime: epoch, Format: tar.FormatPAX})
}

func addFile(tw *tar.Writer, name string, data []byte, mode int64) error {
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: epoch, Format: tar.FormatPAX}); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}

func must(err error) {
	if err != nil {
		log.Fatalf("mkimage: %v", err)
	}
}
