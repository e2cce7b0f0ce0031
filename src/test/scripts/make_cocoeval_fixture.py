"""Makes the pycocotools cross-check fixture for CocoEvalCrossCheckTest.

Random VisDrone-like ground truth and detections (integer boxes with elliptic masks, jittered,
duplicated and false detections, tied scores) are scored by pycocotools' COCOeval for bbox and
segm; the fixture stores the inputs and, per setting, the summary metrics computed from COCOeval's
precision/recall arrays the way EvalReport summarises them (largest cap for every AP).

Run from the repository root with pycocotools and numpy installed:
    python3 src/test/scripts/make_cocoeval_fixture.py
"""
import json
import random

import numpy as np
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

OUT = "src/test/resources/io/skypack/eval/cocoeval/"
W, H = 160, 120
rng = random.Random(20240607)


def ellipse(x, y, w, h):
    m = np.zeros((H, W), dtype=np.uint8)
    yy, xx = np.mgrid[0:H, 0:W]
    cx, cy = x + w / 2 - 0.5, y + h / 2 - 0.5
    inside = ((xx - cx) / max(w / 2, 0.5)) ** 2 + ((yy - cy) / max(h / 2, 0.5)) ** 2 <= 1
    m[inside] = 1
    return m


def rle(m):
    r = mask_utils.encode(np.asfortranarray(m))
    return {"size": [H, W], "counts": r["counts"].decode("ascii")}


def rand_box():
    side = rng.choice([6, 10, 20, 28, 40, 60, 100])
    w = max(2, int(side * rng.uniform(0.7, 1.3)))
    h = max(2, int(side * rng.uniform(0.7, 1.3)))
    w, h = min(w, W - 1), min(h, H - 1)
    return [rng.randint(0, W - w), rng.randint(0, H - h), w, h]


images, gts, dets = [], [], []
for i in range(1, 16):
    images.append({"id": i, "file_name": "img%03d" % i, "width": W, "height": H})
    for _ in range(rng.randint(0, 9)):
        cat = rng.randint(1, 9)  # class 10 never has ground truth: its metrics stay -1
        b = rand_box()
        gts.append({"image_id": i, "category_id": cat, "bbox": b})
        if rng.random() < 0.8:  # a jittered detection, sometimes duplicated
            for _ in range(1 if rng.random() < 0.8 else 2):
                j = max(1, b[2] // 4)
                d = [min(W - 2, max(0, b[0] + rng.randint(-j, j))), min(H - 2, max(0, b[1] + rng.randint(-j, j))),
                     max(2, b[2] + rng.randint(-j, j)), max(2, b[3] + rng.randint(-j, j))]
                dets.append({"image_id": i, "category_id": cat, "bbox": d, "score": round(rng.random(), 1)})
    for _ in range(rng.randint(0, 6)):  # false detections
        dets.append({"image_id": i, "category_id": rng.randint(1, 10), "bbox": rand_box(),
                     "score": round(rng.random(), 1)})
# Many detections of one class in one image, so caps 1/3/10/20 bite.
for _ in range(30):
    dets.append({"image_id": 3, "category_id": 4, "bbox": rand_box(), "score": round(rng.random(), 2)})

for d in dets:
    d["bbox"] = [min(d["bbox"][0], W - 2), min(d["bbox"][1], H - 2),
                 min(d["bbox"][2], W - d["bbox"][0]), min(d["bbox"][3], H - d["bbox"][1])]
    d["segmentation"] = rle(ellipse(*d["bbox"]))
for n, g in enumerate(gts, 1):
    g["id"] = n
    g["iscrowd"] = 0
    g["segmentation"] = rle(ellipse(*g["bbox"]))

cats = [{"id": c, "name": str(c)} for c in range(1, 11)]


def evaluate(iou_type, max_dets):
    anns = []
    for g in gts:
        a = dict(g)
        seg = {"size": g["segmentation"]["size"], "counts": g["segmentation"]["counts"].encode("ascii")}
        # Area for the area ranges: box area for bbox, mask area for segm (as EvalReport documents).
        a["area"] = float(g["bbox"][2] * g["bbox"][3]) if iou_type == "bbox" else float(mask_utils.area(seg))
        anns.append(a)
    coco = COCO()
    coco.dataset = {"images": images, "annotations": anns, "categories": cats}
    coco.createIndex()
    res = []
    for d in dets:
        r = dict(d)
        if iou_type == "bbox":
            del r["segmentation"]
        else:
            # Without a bbox, loadRes takes the segm branch and sets area = mask area (our choice);
            # with one it would take the box area, a pycocotools quirk for segm results.
            del r["bbox"]
            r["segmentation"] = {"size": d["segmentation"]["size"], "counts": d["segmentation"]["counts"].encode("ascii")}
        res.append(r)
    ev = COCOeval(coco, coco.loadRes(res), iou_type)
    ev.params.maxDets = max_dets
    ev.evaluate()
    ev.accumulate()
    prec, rec = ev.eval["precision"], ev.eval["recall"]

    def mean(s):
        s = s[s > -1]
        return -1.0 if s.size == 0 else float(np.mean(s))

    def stats(k):
        ks = slice(None) if k is None else slice(k, k + 1)
        m = len(max_dets) - 1
        out = [mean(prec[:, :, ks, 0, m]), mean(prec[0:1, :, ks, 0, m]), mean(prec[5:6, :, ks, 0, m]),
               mean(prec[:, :, ks, 1, m]), mean(prec[:, :, ks, 2, m]), mean(prec[:, :, ks, 3, m])]
        out += [mean(rec[:, ks, 0, i]) for i in range(len(max_dets))]
        out += [mean(rec[:, ks, 1, m]), mean(rec[:, ks, 2, m]), mean(rec[:, ks, 3, m])]
        return out

    return {"iouType": iou_type, "maxDets": max_dets, "overall": stats(None),
            "classes": {str(c): stats(c - 1) for c in range(1, 11)}}


expected = [evaluate("bbox", [1, 10, 100, 500]), evaluate("bbox", [1, 3, 20]), evaluate("segm", [1, 10, 100, 500])]
ground_truth = {
    "images": [{"id": im["file_name"], "width": W, "height": H} for im in images],
    "annotations": [{"image_id": "img%03d" % g["image_id"], "category_id": g["category_id"], "bbox": g["bbox"],
                     "segmentation": g["segmentation"]} for g in gts],
}
with open(OUT + "ground_truth.json", "w") as f:
    json.dump(ground_truth, f)
with open(OUT + "detections.json", "w") as f:  # a COCO results array, one detection per line
    f.write("[\n" + ",\n".join(json.dumps(dict(d, image_id="img%03d" % d["image_id"])) for d in dets) + "\n]\n")
with open(OUT + "expected.json", "w") as f:
    json.dump(expected, f, indent=1)
print(len(images), "images", len(gts), "gts", len(dets), "detections")
