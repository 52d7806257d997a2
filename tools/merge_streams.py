"""Merge each cell's consecutive stream outputs (stdout, stderr) into one, in executed notebooks.

papermill stores every flush of a running cell as its own output, so a cell that trains three runs of ten
epochs keeps 30+ one-line outputs; merged, it keeps one block per stream and reads the same.
Usage: python tools/merge_streams.py NOTEBOOK.ipynb [...]   (run_all.sh runs it on each executed copy)
"""

import argparse

import nbformat


def merged(outputs: list) -> list:
    out = []
    for o in outputs:
        last = out[-1] if out else {}
        if o.get("output_type") == "stream" and last.get("output_type") == "stream" and last["name"] == o["name"]:
            last["text"] += o["text"]
            continue
        out.append(o)
    return out


def main(paths):
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = merged(cell.outputs)
        nbformat.write(nb, path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", help="executed notebooks, rewritten in place")
    main(parser.parse_args().notebooks)
