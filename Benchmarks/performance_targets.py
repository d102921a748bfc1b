"""The performance targets of issue 7, checked against one comparison document (compare.py).

Each target compares numbers from the SAME run (ratios), never absolute figures, because the shared machines
drift by ±10 % or more between runs. A target whose inputs are missing is "n/a", not a failure.
"""


def _latency(document: dict, side: str, backend: str, prompts: int):
    """total_ms of one latency row: side "reference" (backend name) or "ours" (precision)."""
    if side == "ours":
        row = document["ours_latency"].get(backend, {}).get(str(prompts), {})
        return row.get("total_ms")
    for row in document.get("reference_latency", {}).get("rows", []):
        if row["backend"] == backend and row["prompts"] == prompts and "error" not in row["full"]:
            return row["total_ms"]
    return None


def _fps(document: dict, precision: str | None):
    pipeline = document.get("pipeline", {})
    row = pipeline.get("python", {}) if precision is None else pipeline.get("ours", {}).get(precision, {})
    return row.get("fps_wall")


def _check(name: str, value, limit, higher_is_better: bool, unit: str = "×") -> dict:
    if value is None or limit is None:
        return {"target": name, "value": None, "status": "n/a"}
    passed = value >= limit if higher_is_better else value <= limit
    return {"target": name, "value": round(value, 4), "limit": limit, "unit": unit,
            "status": "pass" if passed else "MISS"}


def _divide(numerator, denominator):
    return None if numerator is None or not denominator else numerator / denominator


def evaluate(document: dict, reduced_precisions: list[str]) -> list[dict]:
    """One entry per target: {"target", "value", "limit", "status": pass | MISS | n/a}."""
    ours_1, ours_4 = _latency(document, "ours", "fp32", 1), _latency(document, "ours", "fp32", 4)
    ort_1 = _latency(document, "reference", "onnxruntime", 1)
    ort_int8_1 = _latency(document, "reference", "onnxruntime-int8", 1)
    torch_1 = _latency(document, "reference", "torch", 1)
    iou = document.get("mask_iou", {})
    results = [
        _check("fp32 latency ÷ ONNX Runtime fp32 (1 prompt) ≤ 0.9", _divide(ours_1, ort_1), 0.9, False),
        _check("fp32 latency ÷ transformers fp32 (1 prompt) ≤ 0.62", _divide(ours_1, torch_1), 0.62, False),
        _check("fp32 4 prompts ÷ 1 prompt ≤ 1.15", _divide(ours_4, ours_1), 1.15, False),
        _check("fp32 end-to-end throughput ÷ Python pipeline ≥ 1.5",
               _divide(_fps(document, "fp32"), _fps(document, None)), 1.5, True),
        _check("fp32 masks IoU vs Python pipeline ≥ 0.99", iou.get("fp32_vs_python", {}).get("iou_pooled"),
               0.99, True, ""),
    ]
    live = document.get("live", {}).get("fp32", {})
    clip_frames = document.get("clip_frames")
    results += [
        _check("live fp32: capture→mask latency p50 ÷ model latency ≤ 1.3",
               _divide(live.get("latency_p50_ms"), ours_1), 1.3, False),
        _check("live fp32 --keep-frames: frames written ÷ frames in = 1",
               _divide(live.get("frames_out"), clip_frames), 1.0, True, ""),
    ]
    for precision in reduced_precisions:
        ours = _latency(document, "ours", precision, 1)
        results += [
            _check(f"{precision} latency ÷ ONNX Runtime fp32 (1 prompt) ≤ 0.5", _divide(ours, ort_1), 0.5, False),
            _check(f"{precision} latency ÷ ONNX Runtime int8 (1 prompt) ≤ 0.9", _divide(ours, ort_int8_1), 0.9,
                   False),
            _check(f"{precision} masks IoU vs our fp32 ≥ 0.98 (this clip, random checkpoint)",
                   iou.get(f"{precision}_vs_fp32", {}).get("iou_pooled"), 0.98, True, ""),
            _check(f"{precision} end-to-end throughput ÷ Python pipeline ≥ 2.5",
                   _divide(_fps(document, precision), _fps(document, None)), 2.5, True),
        ]
    return results


def render(results: list[dict]) -> str:
    lines = ["Targets (issue 7; same-run ratios):"]
    for result in results:
        value = "n/a" if result["value"] is None else f"{result['value']:.3f}{result['unit']}"
        lines.append(f"  [{result['status']:>4}] {result['target']}: {value}")
    return "\n".join(lines)
