"""Where the benchmarks find and keep things. Every path comes from an environment variable; unset, it is a
folder inside the repository's ignored `.bench/` (never a folder of the machine the scripts were written on):

| variable                  | what                                                    | default                      |
|---------------------------|---------------------------------------------------------|------------------------------|
| `CLIPSEG_BENCH_PYTHON`    | the Python with the reference packages (compare.sh)     | `.bench/venv/bin/python`     |
| `CLIPSEG_FULL_CHECKPOINT` | the full-size checkpoint (Tools/make_fixtures.py --full) | `.bench/full-rd64`           |
| `CLIPSEG_BENCH_CACHE`     | ONNX exports, the clip, outputs and masks               | `.bench/cache`               |
| `CLIPSEG_BIN`             | our binary (our_binary.py)                               | `.build/release/clipseg`     |

Benchmarks/README.md documents them; `require_packages` says what to install when a package is missing.
"""
import importlib.util
import os
import sys

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_FOLDER = os.path.join(REPOSITORY, ".bench")

# import name → pip name of every package the reference side uses
REFERENCE_PACKAGES = {"torch": "torch", "transformers": "transformers", "safetensors": "safetensors",
                      "PIL": "pillow", "numpy": "numpy", "av": "av", "onnx": "onnx", "onnxruntime": "onnxruntime"}


def _from_environment(variable: str, default: str) -> str:
    return os.environ.get(variable) or default


def cache() -> str:
    """`$CLIPSEG_BENCH_CACHE`, else `.bench/cache`: ONNX exports, the clip, outputs and masks (not created)."""
    return _from_environment("CLIPSEG_BENCH_CACHE", os.path.join(BENCH_FOLDER, "cache"))


def full_checkpoint() -> str:
    """`$CLIPSEG_FULL_CHECKPOINT`, else `.bench/full-rd64`: the full-size random rd64-refined checkpoint."""
    return _from_environment("CLIPSEG_FULL_CHECKPOINT", os.path.join(BENCH_FOLDER, "full-rd64"))


def require_checkpoint(model_dir: str) -> None:
    """Exits with a one-line error naming the variable to set when `model_dir` holds no model.safetensors."""
    if not os.path.isfile(os.path.join(model_dir, "model.safetensors")):
        sys.exit(f"error: {model_dir} has no model.safetensors: make it with Tools/make_fixtures.py --full DIR, "
                 f"then pass that folder or set CLIPSEG_FULL_CHECKPOINT=DIR (default .bench/full-rd64)")


def require_packages(*modules: str) -> None:
    """Exits with a one-line error when this Python lacks any of `modules` (import names), saying what to
    install and which variable names the Python to use."""
    missing = [module for module in modules if importlib.util.find_spec(module) is None]
    if missing:
        names = " ".join(REFERENCE_PACKAGES.get(module, module) for module in missing)
        sys.exit(f"error: {sys.executable} lacks {names}: run the reference side with a Python that has them "
                 f"(pip install {' '.join(REFERENCE_PACKAGES.values())} in a virtual environment; "
                 f"compare.sh takes its python from CLIPSEG_BENCH_PYTHON, default .bench/venv/bin/python)")


if __name__ == "__main__":
    # `python bench_paths.py` checks this Python for every reference package (compare.sh runs it first).
    require_packages(*REFERENCE_PACKAGES)
