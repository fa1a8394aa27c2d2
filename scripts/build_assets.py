"""Copy the front-end libraries installed by npm (package.json) into the package's static/vendor.

Run by ``./dev`` after ``npm ci``; the result is not committed. Nothing is ever loaded from a CDN.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "src" / "khooshe" / "web" / "static" / "vendor"

# (source under node_modules, destination under static/vendor)
FILES = [
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
    ("leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    # leaflet.js names its source map: the production static storage (hashed names) fails without it.
    ("leaflet/dist/leaflet.js.map", "leaflet/leaflet.js.map"),
    ("leaflet/dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet/dist/images", "leaflet/images"),
    ("cytoscape/dist/cytoscape.min.js", "cytoscape/cytoscape.min.js"),
    ("echarts/dist/echarts.min.js", "echarts/echarts.min.js"),
    ("frappe-gantt/dist/frappe-gantt.umd.js", "frappe-gantt/frappe-gantt.umd.js"),
    ("frappe-gantt/dist/frappe-gantt.css", "frappe-gantt/frappe-gantt.css"),
    ("vazirmatn/fonts/webfonts/Vazirmatn[wght].woff2", "vazirmatn/Vazirmatn-Variable.woff2"),
    ("vazirmatn/OFL.txt", "vazirmatn/OFL.txt"),
]


def main() -> int:
    missing = [src for src, _dst in FILES if not (NODE / src).exists()]
    if missing:
        print("Front-end packages are missing; run `npm ci` first:", *missing, sep="\n  ", file=sys.stderr)
        return 1
    for src, dst in FILES:
        source, target = NODE / src, VENDOR / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
    print(f"Copied {len(FILES)} front-end assets into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
