"""Dev aid: compare our frames with a golden folder. Usage: golden_check.py NAME [--save]"""

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from engine.overlay import render_frames
from motiontext.parse import load_scenario_file
from parity.metric import compare

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "reference"
name = sys.argv[1]
gold = SHARED / "goldens" / name
manifest = json.loads((gold / "manifest.json").read_text())
samples = SHARED / "samples" / manifest["scenario"]
if not samples.exists():
    samples = SHARED / "scenarios" / manifest["scenario"]
scn = load_scenario_file(samples)
frames = manifest["frames"]
ours = render_frames(scn, [f["t"] for f in frames], manifest["width"], manifest["height"])
worst = []
for f, img in zip(frames, ours):
    ref = np.array(Image.open(gold / f["png"]).convert("RGBA"))
    s = compare(ref, img)
    worst.append((s.iou, s.mae, f["t"]))
    if "--save" in sys.argv and not s.passed:
        Image.fromarray(img).save(f"/tmp/ours_{name}_{f['frame']:05d}.png")
    print(f"t={f['t']:6.2f} iou={s.iou:.3f} mae={s.mae:.2f} {'ok' if s.passed else 'FAIL'}")
print(name, "min iou", min(w[0] for w in worst), "max mae", max(w[1] for w in worst))
