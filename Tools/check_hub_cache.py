#!/usr/bin/env python3
"""Reads a cache written by `clipseg download` back with huggingface_hub, as Python programs will.

    python Tools/check_hub_cache.py                    # serve a small repository on loopback, run
                                                       # `.build/debug/clipseg download` into a fresh cache, check it
    python Tools/check_hub_cache.py --cache DIR --id OWNER/NAME [--revision REV]   # check an existing cache

Checks, with huggingface_hub's own functions and local_files_only=True (nothing is fetched):
snapshot_download returns the snapshot folder; hf_hub_download finds every file; scan_cache_dir reports the
repository with no warnings, the revision's ref and the files' sizes. Then the other way round: huggingface_hub's
snapshot_download fills a cache from the same stand-in, and `clipseg tokenize --model OWNER/NAME` finds it. Needs huggingface_hub (the reference
virtual environment has it: Benchmarks/README.md). Not part of `swift test`.
"""
import argparse, hashlib, http.server, json, os, random, subprocess, sys, tempfile, threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def git_blob_id(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def serve_repository(repo, commit, files, lfs_names):
    """A hub stand-in: the revision API, resolve (LFS files redirected to a second port), byte ranges."""
    storage = {}

    def answer(handler, data):
        start, status = 0, 200
        rng = handler.headers.get("Range")
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            start, status = int(rng[6:-1]), 206
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(data) - start))
        if status == 206:
            handler.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        handler.end_headers()
        handler.wfile.write(data[start:])

    class Storage(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            answer(self, storage[self.path.split("/")[-1]])

    storage_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Storage)

    class Hub(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_HEAD(self):
            # What huggingface_hub asks before it downloads a file (its blob name, size and commit).
            name = self.path.split("?")[0].split("/resolve/")[-1].split("/", 1)[-1]
            data = files[name]
            if name in lfs_names:
                digest = hashlib.sha256(data).hexdigest()
                storage[digest] = data
                self.send_response(302)
                self.send_header("Location", "http://127.0.0.1:%d/lfs/%s" % (storage_server.server_port, digest))
                self.send_header("X-Linked-Etag", '"%s"' % digest)
                self.send_header("X-Linked-Size", str(len(data)))
            else:
                self.send_response(200)
                self.send_header("ETag", '"%s"' % git_blob_id(data))
            self.send_header("X-Repo-Commit", commit)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()

        def do_GET(self):
            path = self.path.split("?")[0]
            if path.startswith("/api/models/%s/revision/" % repo):
                siblings = []
                for name, data in files.items():
                    sibling = {"rfilename": name, "size": len(data), "blobId": git_blob_id(data)}
                    if name in lfs_names:
                        sibling["lfs"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
                    siblings.append(sibling)
                body = json.dumps({"id": repo, "sha": commit, "siblings": siblings}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if path.startswith("/api/models/%s/tree/" % repo):  # huggingface_hub's snapshot_download lists files here
                entries = []
                for name, data in files.items():
                    entry = {"type": "file", "path": name, "size": len(data), "oid": git_blob_id(data)}
                    if name in lfs_names:
                        entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
                    entries.append(entry)
                body = json.dumps(entries).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            name = path.split("/resolve/")[-1].split("/", 1)[-1]
            data = files[name]
            if name in lfs_names:
                digest = hashlib.sha256(data).hexdigest()
                storage[digest] = data
                self.send_response(302)
                self.send_header("Location", "http://127.0.0.1:%d/lfs/%s" % (storage_server.server_port, digest))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            answer(self, data)

    hub_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    for server in (hub_server, storage_server):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return "http://127.0.0.1:%d" % hub_server.server_port


def check(cache, repo, revision):
    from huggingface_hub import hf_hub_download, scan_cache_dir, snapshot_download
    snapshot = snapshot_download(repo, revision=revision, cache_dir=cache, local_files_only=True)
    names = sorted(os.listdir(snapshot))
    print("snapshot_download(local_files_only=True) ->", snapshot)
    for name in names:
        path = hf_hub_download(repo, name, revision=revision, cache_dir=cache, local_files_only=True)
        assert os.path.realpath(path) == os.path.realpath(os.path.join(snapshot, name)), name
        print("  hf_hub_download %-26s %10d bytes" % (name, os.path.getsize(path)))
    info = scan_cache_dir(cache)
    assert not info.warnings, info.warnings
    (entry,) = [r for r in info.repos if r.repo_id == repo]
    refs = {ref for rev in entry.revisions for ref in rev.refs}
    print("scan_cache_dir: %d revision(s), refs %s, %d files, %d bytes on disk, no warnings"
          % (len(entry.revisions), sorted(refs), entry.nb_files, entry.size_on_disk))
    assert revision in refs or len(revision) == 40, refs
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache")
    parser.add_argument("--id")
    parser.add_argument("--revision", default="main")
    parser.add_argument("--clipseg", default=os.path.join(ROOT, ".build/debug/clipseg"))
    args = parser.parse_args()
    if args.cache:
        check(args.cache, args.id, args.revision)
        return
    sample = os.path.join(ROOT, "Samples/models/shapes")
    files = {name: open(os.path.join(sample, name), "rb").read()
             for name in ["config.json", "preprocessor_config.json", "vocab.json", "merges.txt",
                          "tokenizer_config.json", "special_tokens_map.json", "model.safetensors"]}
    files["pytorch_model.bin"] = bytes(random.Random(0).getrandbits(8) for _ in range(1000))
    commit = "%040x" % random.Random(1).getrandbits(160)
    repo = "CIDAS/clipseg-rd64-refined"
    endpoint = serve_repository(repo, commit, files, {"model.safetensors", "pytorch_model.bin"})
    with tempfile.TemporaryDirectory() as cache:
        environment = dict(os.environ, HF_ENDPOINT=endpoint, HF_HUB_CACHE=cache, HF_TOKEN="")
        done = subprocess.run([args.clipseg, "download", repo], env=environment, capture_output=True, text=True)
        sys.stderr.write(done.stderr)
        if done.returncode != 0:
            sys.exit("clipseg download failed with status %d" % done.returncode)
        names = check(cache, repo, "main")
        expected = sorted(set(files) - {"pytorch_model.bin"})
        assert names == expected, (names, expected)
        for name in names:
            with open(os.path.join(done.stdout.strip(), name), "rb") as f:
                assert f.read() == files[name], name
        blobs_by_clipseg = sorted(os.listdir(os.path.join(cache, "models--CIDAS--clipseg-rd64-refined", "blobs")))
    print("OK: huggingface_hub reads the cache clipseg download wrote")
    # The other way round: a cache huggingface_hub filled is where --model OWNER/NAME finds the model.
    from huggingface_hub import snapshot_download
    with tempfile.TemporaryDirectory() as cache:
        os.environ["HF_HUB_DISABLE_XET"] = "1"
        written = snapshot_download(repo, cache_dir=cache, endpoint=endpoint, token=False,
                                    allow_patterns=["*.json", "*.txt", "*.safetensors"])
        environment = dict(os.environ, HF_HUB_CACHE=cache, HF_ENDPOINT="http://127.0.0.1:1", CLIPSEG_MODEL="")
        done = subprocess.run([args.clipseg, "tokenize", "--model", repo, "a cat"], env=environment,
                              capture_output=True, text=True)
        assert done.returncode == 0 and done.stdout == "[49406,320,2368,49407]\n", (done.stdout, done.stderr)
        blobs_by_python = sorted(os.listdir(os.path.join(cache, "models--CIDAS--clipseg-rd64-refined", "blobs")))
        assert blobs_by_python == blobs_by_clipseg, (blobs_by_python, blobs_by_clipseg)
        print("OK: both name the 7 blobs alike (sha256 for LFS files, git blob ids for the rest)")
        print("OK: huggingface_hub's snapshot_download wrote %s; clipseg tokenize --model %s read it" % (written, repo))


if __name__ == "__main__":
    main()
